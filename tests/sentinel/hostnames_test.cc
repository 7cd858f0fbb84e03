// resolve-hostnames / announce-hostnames: which addresses are accepted, how they
// compare, and which form the engine shows (§12.3).
#include <gtest/gtest.h>

#include <map>

#include "sentinel/hello.h"
#include "sentinel/hostnames.h"
#include "tests/sentinel/engine_fixture.h"

namespace sp::sentinel {
namespace {

const HostnamePolicy kIpOnly{};
const HostnamePolicy kResolve{.resolve = true, .announce = false};
const HostnamePolicy kResolveAndAnnounce{.resolve = true, .announce = true};

// A resolver over a fixed table, as the shell's cache would answer.
HostResolver table_resolver(std::map<std::string, std::string, std::less<>> table) {
  return [table = std::move(table)](std::string_view host) {
    auto it = table.find(host);
    return it == table.end() ? std::string() : it->second;
  };
}

const HostResolver kDns = table_resolver({{"db-master", "10.0.0.1"},
                                          {"db-replica-1", "10.0.0.2"},
                                          {"db-replica-2", "10.0.0.3"},
                                          {"cache", "10.0.0.9"},
                                          {"peer-1", "10.0.1.1"}});

Address named(std::string hostname, std::string ip, int port) {
  return Address{std::move(ip), port, std::move(hostname)};
}

TEST(IpLiteral, AcceptsIpv4AndIpv6OnlyInFullForm) {
  for (const char* ok : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::", "fe80::1",
                         "2001:db8::8:800:200c:417a", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1"}) {
    EXPECT_TRUE(is_ip_literal(ok)) << ok;
  }
  for (const char* bad :
       {"", "localhost", "127.1", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "1:2:3:4:5:6:7:8:9",
        "1::2::3", ":1", "12345::1", "db-1.example.com", "1.2.3.4 "}) {
    EXPECT_FALSE(is_ip_literal(bad)) << bad;
  }
}

TEST(MakeAddress, TakesIpLiteralsAsTheyAre) {
  auto a = make_address("10.0.0.1", 6379, false, kIpOnly, nullptr);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ip, "10.0.0.1");
  EXPECT_EQ(a->host(), "10.0.0.1");
  EXPECT_FALSE(make_address("10.0.0.1", 65536, false, kIpOnly, nullptr));
  EXPECT_FALSE(make_address("10.0.0.1", -1, false, kIpOnly, nullptr));
}

TEST(MakeAddress, RefusesHostnamesWithoutResolveHostnames) {
  EXPECT_FALSE(make_address("db-master", 6379, false, kIpOnly, kDns));
  EXPECT_FALSE(make_address("db-master", 6379, true, kIpOnly, kDns));
}

TEST(MakeAddress, ResolvesHostnamesAndKeepsTheNameGiven) {
  auto a = make_address("db-master", 6379, false, kResolve, kDns);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ip, "10.0.0.1");
  EXPECT_EQ(a->hostname, "db-master");
  EXPECT_EQ(a->to_string(), "db-master:6379");
}

TEST(MakeAddress, KeepsAnUnresolvableNameOnlyWhenAskedTo) {
  EXPECT_FALSE(make_address("gone", 6379, false, kResolve, kDns));
  auto a = make_address("gone", 6379, true, kResolve, kDns);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->ip, "");
  EXPECT_EQ(a->host(), "gone");
}

TEST(SameAddress, SameIpOrSameHostnameIgnoringCaseAndAlwaysSamePort) {
  EXPECT_TRUE(same_address(named("db-master", "10.0.0.1", 6379), Address{"10.0.0.1", 6379}));
  EXPECT_TRUE(same_address(named("db-master", "", 6379), named("DB-Master", "10.0.0.1", 6379)));
  EXPECT_FALSE(same_address(named("db-master", "10.0.0.1", 6379), Address{"10.0.0.1", 6380}));
  EXPECT_FALSE(same_address(named("a", "", 6379), named("b", "", 6379)));
  // Identity (link and table keys) is the name as given, whatever it resolved to.
  EXPECT_EQ(named("db-master", "10.0.0.1", 6379), named("db-master", "10.0.0.7", 6379));
  EXPECT_NE(named("db-master", "10.0.0.1", 6379), (Address{"10.0.0.1", 6379}));
}

TEST(AddressEqualsHost, ResolvesTheReportedHostBeforeComparing) {
  const Address master = named("db-master", "10.0.0.1", 6379);
  EXPECT_TRUE(address_equals_host(master, "10.0.0.1", kIpOnly, kDns));
  EXPECT_TRUE(address_equals_host(master, "db-master", kResolve, kDns));
  EXPECT_FALSE(address_equals_host(master, "db-replica-1", kResolve, kDns));
  // Without resolve-hostnames a name never matches an address.
  EXPECT_FALSE(address_equals_host(master, "db-master", kIpOnly, kDns));
  // A name that does not resolve (now) is compared by name.
  EXPECT_TRUE(address_equals_host(named("db-master", "", 6379), "DB-MASTER", kResolve, nullptr));
}

TEST(AnnouncedHost, HostnameOnlyWithAnnounceHostnames) {
  const Address a = named("db-master", "10.0.0.1", 6379);
  EXPECT_EQ(announced_host(a, kResolve), "10.0.0.1");
  EXPECT_EQ(announced_host(a, kResolveAndAnnounce), "db-master");
  EXPECT_EQ(announced_host(Address{"10.0.0.1", 6379}, kResolveAndAnnounce), "10.0.0.1");
}

// The engine with a group whose master and replicas are known by name.
class HostnameEngineTest : public EngineFixture {
 protected:
  void start_named(HostnamePolicy policy) {
    config_.hostnames = policy;
    redis_[master_] = fake_master(run_id_for(6379));
    redis_[replica1_] = fake_replica(run_id_for(6380), master_, 100);
    redis_[replica2_] = fake_replica(run_id_for(6381), master_, 90);
    GroupConfig group = default_group();
    group.address = master_;
    start(group);
    engine_->set_host_resolver(kDns);
  }

  const Address master_ = named("db-master", "10.0.0.1", 6379);
  const Address replica1_ = named("db-replica-1", "10.0.0.2", 6380);
  const Address replica2_ = named("db-replica-2", "10.0.0.3", 6381);
};

TEST_F(HostnameEngineTest, AnnouncesHostnamesInEventsHellosAndTheMasterAddress) {
  start_named(kResolveAndAnnounce);
  run_for(ms(3000));
  EXPECT_TRUE(has_notice("+monitor", "master mymaster db-master 6379 quorum 2"));
  EXPECT_TRUE(
      has_notice("+slave", "slave db-replica-1:6380 db-replica-1 6380 @ mymaster db-master 6379"));
  auto hellos = actions_of<PublishHello>();
  ASSERT_FALSE(hellos.empty());
  EXPECT_EQ(hellos.front().payload, "127.0.0.1,26379," + kMyId + ",0,mymaster,db-master,6379,0");
  EXPECT_EQ(engine_->announced(*engine_->master_address("mymaster")), "db-master");
  // The replicas follow db-master by name: nothing to fix.
  run_for(ms(20000));
  EXPECT_FALSE(has_notice_type("+fix-slave-config"));
  ASSERT_TRUE(persisted_);
  EXPECT_EQ(persisted_->groups[0].known_replicas.size(), 2u);
}

TEST_F(HostnameEngineTest, ShowsResolvedIpsWithoutAnnounceHostnames) {
  start_named(kResolve);
  run_for(ms(3000));
  EXPECT_TRUE(has_notice("+monitor", "master mymaster 10.0.0.1 6379 quorum 2"));
  EXPECT_TRUE(has_notice("+slave", "slave 10.0.0.2:6380 10.0.0.2 6380 @ mymaster 10.0.0.1 6379"));
  EXPECT_EQ(actions_of<PublishHello>().front().payload,
            "127.0.0.1,26379," + kMyId + ",0,mymaster,10.0.0.1,6379,0");
}

TEST_F(HostnameEngineTest, NamedReplicasAreIgnoredWithoutResolveHostnames) {
  start_named(HostnamePolicy{});
  run_for(ms(3000));
  EXPECT_TRUE(group().replicas.empty());
  EXPECT_FALSE(has_notice_type("+slave"));
}

TEST_F(HostnameEngineTest, FailoverPointsReplicasAtTheHostname) {
  start_named(kResolveAndAnnounce);
  add_peer(kPeer1, 26380);
  add_peer(kPeer2, 26381);
  run_for(ms(2000));
  redis_[master_].alive = false;
  run_until_notice("+switch-master", ms(60000));
  ASSERT_TRUE(has_notice_type("+switch-master"));
  // The promoted replica (best priority... lowest value: db-replica-2) and the SLAVEOF
  // target are shown by name.
  bool by_name = false;
  for (const auto& s : actions_of<SendReplicaOf>()) {
    if (s.new_master) by_name |= s.commands[1][1].starts_with("db-replica-");
  }
  EXPECT_TRUE(by_name);
  const Address now_master = *engine_->master_address("mymaster");
  EXPECT_EQ(engine_->announced(now_master), now_master.hostname);
  EXPECT_TRUE(has_notice("+switch-master", "mymaster db-master 6379 " + now_master.hostname + " " +
                                               std::to_string(now_master.port)));
}

TEST_F(HostnameEngineTest, AMasterNamedByHostnameOrIpIsTheSameForVotes) {
  start_named(kResolve);
  run_for(ms(200));
  redis_[master_].alive = false;
  run_until_notice("+sdown", ms(10000));
  ASSERT_TRUE(group().master.s_down);
  EXPECT_TRUE(engine_->answer_is_master_down("db-master", 6379, 0, "*", now_).down);
  EXPECT_TRUE(engine_->answer_is_master_down("10.0.0.1", 6379, 0, "*", now_).down);
  EXPECT_FALSE(engine_->answer_is_master_down("db-replica-1", 6379, 0, "*", now_).down);
  engine_->set_hostname_policy(HostnamePolicy{});
  EXPECT_FALSE(engine_->answer_is_master_down("db-master", 6379, 0, "*", now_).down);
}

TEST_F(HostnameEngineTest, HellosFromNamedSentinelsNeedResolveHostnames) {
  start_named(kResolveAndAnnounce);
  auto hello = [&](std::uint64_t epoch) {
    return HelloReceived{
        format_hello(Hello{"peer-1", 26380, kPeer1, epoch, "mymaster", "db-master", 6379, 0}),
        true};
  };
  deliver(hello(0));
  ASSERT_EQ(group().sentinels.size(), 1u);
  EXPECT_EQ(group().sentinels.begin()->second.addr.ip, "10.0.1.1");
  EXPECT_TRUE(
      has_notice("+sentinel", "sentinel " + kPeer1 + " peer-1 26380 @ mymaster db-master 6379"));

  engine_->set_hostname_policy(HostnamePolicy{});
  engine_->remove_group("mymaster");
  GroupConfig plain = default_group();
  EXPECT_EQ(engine_->monitor_group(plain, now_), "");
  deliver(hello(5));
  EXPECT_TRUE(group().sentinels.empty());
  EXPECT_EQ(engine_->current_epoch(), 5u);  // only the epoch is adopted
}

TEST_F(HostnameEngineTest, MonitorRefusesNamesItMayNotOrCannotResolve) {
  start_named(HostnamePolicy{});
  GroupConfig other;
  other.name = "other";
  other.quorum = 1;
  other.address = Address{"", 7000, "cache"};
  EXPECT_EQ(engine_->monitor_group(other, now_), "Invalid IP address or hostname specified");
  engine_->set_hostname_policy(kResolveAndAnnounce);
  other.address = Address{"", 7000, "nowhere"};
  EXPECT_EQ(engine_->monitor_group(other, now_), "Invalid IP address or hostname specified");
  other.address = Address{"", 7000, "cache"};
  EXPECT_EQ(engine_->monitor_group(other, now_), "");
  drain();
  EXPECT_TRUE(has_notice("+monitor", "master other cache 7000 quorum 1"));
  EXPECT_EQ(engine_->group("other")->master.addr.ip, "10.0.0.9");
}

TEST_F(HostnameEngineTest, ReResolvedIpsAreShownAndCompared) {
  start_named(kResolve);
  run_for(ms(200));
  Endpoint master{"mymaster", InstanceKind::kMaster, master_};
  deliver(HostResolved{master, "10.0.0.42"});
  EXPECT_EQ(group().master.addr.ip, "10.0.0.42");
  EXPECT_EQ(engine_->announced(group().master.addr), "10.0.0.42");
  EXPECT_TRUE(engine_->answer_is_master_down("10.0.0.42", 6379, 0, "*", now_) ==
              engine_->answer_is_master_down("db-master", 6379, 0, "*", now_));
}

}  // namespace
}  // namespace sp::sentinel
