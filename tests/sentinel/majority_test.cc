#include <gtest/gtest.h>

#include "sentinel/instance.h"
#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

const TimePoint kNow = TimePoint{} + std::chrono::hours(1);

Group group_with_peers(int quorum, int peers) {
  Group group;
  group.config.quorum = quorum;
  group.config.down_after = ms(1000);
  for (int i = 0; i < peers; ++i) {
    Instance peer;
    peer.kind = InstanceKind::kSentinel;
    peer.link.connected = true;
    peer.link.answered_since_open = true;
    peer.link.last_avail_time = kNow - ms(100);
    peer.answered = true;
    group.sentinels.emplace("peer" + std::to_string(i), std::move(peer));
  }
  return group;
}

// A peer that has not answered for longer than half of down-after (1000 ms here).
void silence(Instance& peer) {
  peer.link.last_avail_time = kNow - ms(2000);
}

TEST(ReachesMajority, CountsItselfAndThePeersItCanReach) {
  Group group = group_with_peers(2, 2);
  EXPECT_TRUE(reaches_majority(group, kNow));  // 3 of 3
  silence(group.sentinels.at("peer0"));
  EXPECT_TRUE(reaches_majority(group, kNow));  // 2 of 3
  group.sentinels.at("peer1").link.connected = false;
  EXPECT_FALSE(reaches_majority(group, kNow));  // 1 of 3: the minority side
}

TEST(ReachesMajority, ASentinelThatKnowsNoPeerIsNoMajorityUnderAQuorumOfTwo) {
  EXPECT_FALSE(reaches_majority(group_with_peers(2, 0), kNow));
  // A single-sentinel deployment (quorum 1) is never fenced.
  EXPECT_TRUE(reaches_majority(group_with_peers(1, 0), kNow));
}

TEST(ReachesMajority, HalfOfAnEvenGroupIsNotAMajority) {
  Group group = group_with_peers(2, 3);  // four sentinels
  silence(group.sentinels.at("peer0"));
  silence(group.sentinels.at("peer1"));
  EXPECT_FALSE(reaches_majority(group, kNow));  // 2 of 4
}

TEST(ReachesMajority, ASentinelThatNeverAnsweredCountsNeitherWay) {
  Group group = group_with_peers(2, 2);
  // Named by forged hellos: never connected, or connected and silent so far.
  for (int i = 0; i < 3; ++i) {
    Instance forged;
    forged.kind = InstanceKind::kSentinel;
    forged.link.connected = i == 0;
    forged.s_down = i == 1;
    group.sentinels.emplace("forged" + std::to_string(i), std::move(forged));
  }
  EXPECT_TRUE(reaches_majority(group, kNow));  // 3 of 3, the forged ones aside
  silence(group.sentinels.at("peer0"));
  // One real peer down is within what a group of three tolerates; counting the silent
  // forged ones would make it 2 of 6.
  EXPECT_TRUE(reaches_majority(group, kNow));  // 2 of 3
  silence(group.sentinels.at("peer1"));
  // The minority side stays fenced, however many never-seen peers look "connected".
  EXPECT_FALSE(reaches_majority(group, kNow));  // 1 of 3
}

// A link opened again is "connected" from the attempt on: the peer counts once it answers
// on it (a fenced proxy briefly let writes through at each reconnect).
TEST(ReachesMajority, AReopenedLinkCountsOnceThePeerAnswers) {
  Group group = group_with_peers(2, 2);
  for (auto& [id, peer] : group.sentinels) peer.link.answered_since_open = false;
  EXPECT_FALSE(reaches_majority(group, kNow));  // 1 of 3: neither answered since
  group.sentinels.at("peer0").link.answered_since_open = true;
  EXPECT_TRUE(reaches_majority(group, kNow));
}

// Half of down-after without an answer takes the peer out of the count, whatever the
// phase of the PINGs, well before its SDOWN (and before the majority side, counting a
// whole down-after, can promote).
TEST(ReachesMajority, APeerSilentForHalfOfDownAfterCountsAgainst) {
  Group group = group_with_peers(2, 2);
  for (auto& [id, peer] : group.sentinels) peer.link.last_avail_time = kNow - ms(500);
  EXPECT_TRUE(reaches_majority(group, kNow));  // exactly half: still in reach
  for (auto& [id, peer] : group.sentinels) peer.link.last_avail_time = kNow - ms(501);
  EXPECT_FALSE(reaches_majority(group, kNow));
}

// The clock stepped back: an answer "from the future" proves nothing until the next one.
TEST(ReachesMajority, APeerBackAfterAGapWaitsForItsNextHello) {
  Group group = group_with_peers(2, 2);
  for (auto& [id, peer] : group.sentinels) {
    peer.link.back_in_reach_at = kNow - ms(50);
    peer.last_hello_time = kNow - ms(500);  // from before the gap ended
  }
  EXPECT_FALSE(reaches_majority(group, kNow));
  group.sentinels.begin()->second.last_hello_time = kNow - ms(10);
  EXPECT_TRUE(reaches_majority(group, kNow));
}

TEST(ReachesMajority, AnAnswerFromTheFutureDoesNotCount) {
  Group group = group_with_peers(2, 2);
  for (auto& [id, peer] : group.sentinels) peer.link.last_avail_time = kNow + ms(5000);
  EXPECT_FALSE(reaches_majority(group, kNow));
}

using MajorityTest = EngineFixture;

TEST_F(MajorityTest, APeerCountsOnceItAnswersAPing) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  EXPECT_FALSE(group().sentinels.at(kPeer1).answered);
  run_for(ms(1500));
  EXPECT_TRUE(group().sentinels.at(kPeer1).answered);
  EXPECT_TRUE(reaches_majority(group(), now_));
  // A hello names a third sentinel that never answers (no such peer here): the two that
  // answer are still a majority, now and after its down-after.
  deliver(HelloReceived{hello_from("3333333333333333333333333333333333333333", 26399, 0, 6379, 0),
                        true});
  peers_[addr(26399)].alive = false;
  EXPECT_EQ(group().sentinels.size(), 3u);
  EXPECT_TRUE(reaches_majority(group(), now_));
  run_for(ms(40000));
  EXPECT_TRUE(group().sentinels.at("3333333333333333333333333333333333333333").s_down);
  EXPECT_TRUE(reaches_majority(group(), now_));
}

TEST_F(MajorityTest, PeersFromThePersistedStateCountAtOnce) {
  GroupConfig quorum_of_one = default_group();
  quorum_of_one.quorum = 1;  // so that only the majority rule can fence
  start(quorum_of_one);
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(1500));     // both answer a PING, and so are written to the file
  start(quorum_of_one);  // rebuilt from persisted_: the peers have not answered since
  ASSERT_EQ(group().sentinels.count(kPeer1), 1u);
  EXPECT_TRUE(group().sentinels.at(kPeer1).answered);
  // Restarted on the minority side of a partition: the peers it knew count against it.
  peers_[addr(26380)].alive = false;
  peers_[addr(26381)].alive = false;
  run_for(ms(40000));
  EXPECT_FALSE(reaches_majority(group(), now_));
}

// A sentinel named by a forged hello never answers: it is not written to the file, so a
// restart does not bring it back as one that did (and it fences nothing then either).
TEST_F(MajorityTest, APeerThatNeverAnsweredIsNotPersisted) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  deliver(HelloReceived{hello_from("3333333333333333333333333333333333333333", 26399, 0, 6379, 0),
                        true});
  peers_[addr(26399)].alive = false;
  run_for(ms(1500));
  ASSERT_EQ(group().sentinels.size(), 3u);
  start();  // from the persisted state
  EXPECT_EQ(group().sentinels.size(), 2u);
  EXPECT_EQ(group().sentinels.count("3333333333333333333333333333333333333333"), 0u);
  run_for(ms(40000));  // past down-after: only the two real peers are judged
  // Back after the restart, each counts once it sent a hello (as a real peer does every 2 s).
  EXPECT_FALSE(reaches_majority(group(), now_));
  deliver(HelloReceived{hello_from(kPeer1, 26380, 0, 6379, 0), true});
  EXPECT_TRUE(reaches_majority(group(), now_));
}

// A partition heals: the peers answer PINGs again, but until one of them has sent a hello
// (which would carry a promotion made meanwhile) this sentinel stays on the minority side,
// so a fenced proxy does not take writes for a master it has not yet learned was replaced.
TEST_F(MajorityTest, APeerBackAfterAGapCountsOnceItSentAHello) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(1500));
  ASSERT_TRUE(reaches_majority(group(), now_));
  peers_[addr(26380)].alive = false;
  peers_[addr(26381)].alive = false;
  run_for(ms(5000));
  EXPECT_FALSE(reaches_majority(group(), now_));
  peers_[addr(26380)].alive = true;
  peers_[addr(26381)].alive = true;
  run_for(ms(3000));  // both answer PINGs again
  EXPECT_TRUE(group().sentinels.at(kPeer1).link.answered_since_open);
  EXPECT_FALSE(reaches_majority(group(), now_));
  deliver(HelloReceived{hello_from(kPeer2, 26381, 0, 6379, 0), false});
  EXPECT_TRUE(reaches_majority(group(), now_));
}

// This process stalls (a slow config rewrite, a starved CPU): its peers' answers wait
// unread meanwhile, so they count neither as silent nor as back after a gap (which would
// fence writes until their next hello, up to 2 s later).
TEST_F(MajorityTest, AStallOfThisProcessIsNoSilenceOfItsPeers) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(1500));
  ASSERT_TRUE(reaches_majority(group(), now_));
  now_ += ms(1200);                               // no tick for 1.2 s
  EXPECT_FALSE(reaches_majority(group(), now_));  // as of now, both look silent
  EXPECT_TRUE(reaches_majority(group(), now_, engine_->reach_judged_at(now_)));
  run_for(ms(100));  // the overdue tick; the PINGs it sends are answered at once
  EXPECT_EQ(group().sentinels.at(kPeer1).link.back_in_reach_at, kNever);
  EXPECT_TRUE(reaches_majority(group(), now_, engine_->reach_judged_at(now_)));
  run_for(ms(1000));
  EXPECT_EQ(engine_->reach_judged_at(now_), now_);
  EXPECT_TRUE(reaches_majority(group(), now_));
}

// A cut during the stall is found once the stall's catch-up is over.
TEST_F(MajorityTest, ACutDuringAStallIsFoundJustAfterIt) {
  start();
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(1500));
  peers_[addr(26380)].alive = false;
  peers_[addr(26381)].alive = false;
  now_ += ms(1200);
  EXPECT_TRUE(reaches_majority(group(), now_, engine_->reach_judged_at(now_)));
  run_for(Engine::kStallCatchUp + ms(200));
  EXPECT_FALSE(reaches_majority(group(), now_, engine_->reach_judged_at(now_)));
}

}  // namespace
}  // namespace sp::sentinel
