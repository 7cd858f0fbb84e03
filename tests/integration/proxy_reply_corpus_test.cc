// Every kind of reply Redis sends goes through the proxy byte for byte:
// - a generated corpus against a real redis-server, in RESP2 and RESP3: DEBUG PROTOCOL for
//   each type, scripts returning each Lua type under redis.setresp(2|3) (the odd bodies
//   Redis emits included), a self-referencing table (thousands of nested arrays), each
//   compared with the same command sent directly, one by one and as one pipeline;
// - replies Redis can only send from a script deeper than Lua's stack allows (10 000 and
//   100 000 nested arrays) and random RESP trees, from a scripted master;
// - SYNC: `redis-cli --rdb` writes the same RDB as directly, `redis-cli --replica` prints
//   the master's command feed.
// SP_WRITE_REPLY_SEEDS=<dir> writes the real corpus's frames there (fuzz seeds).

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/proxy_harness.h"
#include "tests/protocol/reference_framer.h"

namespace sp::testing {
namespace {

using Clock = std::chrono::steady_clock;

// What a script returns, as Lua source: every type luaReplyToRedisReply knows, and the
// malformed tables it still turns into replies.
const std::vector<std::string> kLuaValues = {
    "nil",
    "true",
    "false",
    "1",
    "-1",
    "3.7",
    "12345678901234567890",
    "''",
    "'x'",
    "'a\\r\\nb'",
    "{}",
    "{1,2}",
    "{1,nil,3}",
    "{{}}",
    "{false,true}",
    "{1.5,2.5}",
    "{ok='x'}",
    "{ok=''}",
    "{ok='a\\r\\nb'}",
    "{ok=1}",
    "{err='x'}",
    "{err=''}",
    "{err='a\\r\\nb'}",
    "{err=1}",
    "redis.error_reply('x')",
    "redis.status_reply('')",
    "{double=3.5}",
    "{double=0/0}",
    "{double=1/0}",
    "{double=-1/0}",
    "{double=1e300}",
    "{big_number='123'}",
    "{big_number=''}",
    "{big_number='-'}",
    "{big_number='abc'}",
    "{big_number='123\\r\\n123'}",
    "{big_number=12}",
    "{map={}}",
    "{map={a=1}}",
    "{map={a={1,{map={b=2}}}}}",
    "{map={[1]=2}}",
    "{set={}}",
    "{set={a=true}}",
    "{set={[1]=true}}",
    "{verbatim_string={format='txt',string='hi\\r\\nthere'}}",
    "{verbatim_string={format='mkd',string=''}}",
    "{verbatim_string={string='hi'}}",
    "{1,{ok='x'},{err='y'},{double=1.5},{big_number='9'},{map={k='v'}},{set={s=true}}}",
};

const char* const kDebugProtocolTypes[] = {"string",   "integer", "double", "bignum", "null",
                                           "array",    "set",     "map",    "attrib", "push",
                                           "verbatim", "true",    "false"};

std::vector<std::vector<std::string>> real_corpus() {
  std::vector<std::vector<std::string>> commands;
  for (const char* type : kDebugProtocolTypes) commands.push_back({"DEBUG", "PROTOCOL", type});
  for (const char* resp : {"2", "3"}) {
    for (const std::string& value : kLuaValues) {
      commands.push_back(
          {"EVAL", std::string("redis.setresp(") + resp + "); return " + value, "0"});
    }
  }
  commands.push_back({"EVAL", "local a = {}; local b = {a}; a[1] = b; return a", "0"});
  commands.push_back({"EVAL",
                      "local t = {}; local c = t; for i = 1, 20000 do local n = {}; c[1] = n; "
                      "c = n end; return t",
                      "0"});
  commands.push_back({"EVAL",
                      "redis.setresp(3); local t = {}; local c = t; for i = 1, 3000 do local n "
                      "= {}; c.map = {k = n}; c = n end; return t",
                      "0"});
  return commands;
}

void write_seed(const std::string& bytes, const std::string& name) {
  const char* dir = std::getenv("SP_WRITE_REPLY_SEEDS");
  if (dir == nullptr || bytes.size() > 4096) return;
  std::ofstream(std::string(dir) + "/" + name, std::ios::binary) << bytes;
}

class ReplyCorpus : public ::testing::TestWithParam<int> {};

// One command at a time, then the whole corpus as one pipeline, on a connection in the
// parameter's protocol: the proxy's bytes are the server's bytes, and it stays connected.
TEST_P(ReplyCorpus, RealRepliesPassByteForByte) {
  const int proto = GetParam();
  RedisProcess redis({"--enable-debug-command", "yes"});
  ProxyProcess proxy(redis.port());
  TestConnection direct(redis.port()), proxied(proxy.port());
  FrameReader from_direct(direct), from_proxy(proxied);
  const std::string hello = resp({"HELLO", std::to_string(proto)});
  direct.send(hello);
  proxied.send(hello);
  ASSERT_TRUE(from_direct.frames(1).has_value());
  ASSERT_TRUE(from_proxy.frames(1).has_value());

  const auto corpus = real_corpus();
  std::string pipeline;
  int index = 0;
  for (const auto& command : corpus) {
    const std::string request = resp(command);
    pipeline += request;
    direct.send(request);
    proxied.send(request);
    const auto want = from_direct.frames(1);
    ASSERT_TRUE(want.has_value()) << command.back() << " " << command[1];
    // DEBUG PROTOCOL push sends the push and then a reply: two frames.
    const bool push = command[1] == "PROTOCOL" && command[2] == "push" && proto == 3;
    std::string expected = *want;
    if (push) expected += from_direct.frames(1).value_or("");
    const auto got = from_proxy.frames(push ? 2 : 1);
    ASSERT_TRUE(got.has_value()) << "no reply through the proxy to " << command[1] << " "
                                 << command[2] << "\n"
                                 << proxy.log();
    EXPECT_TRUE(*got == expected) << command[1] << " " << command[2].substr(0, 60) << ": "
                                  << got->size() << " bytes through the proxy, " << expected.size()
                                  << " directly";
    write_seed(expected, "reply-resp" + std::to_string(proto) + "-" + std::to_string(index++));
  }

  direct.send(pipeline + resp({"PING"}));
  proxied.send(pipeline + resp({"PING"}));
  const std::size_t frames = corpus.size() + 1 + (proto == 3 ? 1 : 0);
  const auto want = from_direct.frames(frames, 30s);
  const auto got = from_proxy.frames(frames, 30s);
  ASSERT_TRUE(want.has_value());
  ASSERT_TRUE(got.has_value()) << proxy.log();
  EXPECT_TRUE(*got == *want) << got->size() << " bytes through the proxy, " << want->size()
                             << " directly";
  EXPECT_TRUE(got->ends_with("+PONG\r\n"));
  EXPECT_EQ(proxy.log().find("malformed"), std::string::npos) << proxy.log();
}

INSTANTIATE_TEST_SUITE_P(Protocols, ReplyCorpus, ::testing::Values(2, 3),
                         [](const auto& info) { return "Resp" + std::to_string(info.param); });

constexpr std::string_view kNext = "NEXT-REPLY\r\n";

// A master that answers the n-th command it reads with replies[n]: lets the test send the
// proxy what a real server sends only in shapes no test can make it produce.
class ScriptedMaster {
 public:
  explicit ScriptedMaster(std::vector<std::string> replies) : replies_(std::move(replies)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("scripted master: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedMaster() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    const int conn = conn_.exchange(-1);
    if (conn >= 0) ::shutdown(conn, SHUT_RDWR);
    thread_.join();
    if (conn >= 0) ::close(conn);
  }
  int port() const { return port_; }

 private:
  // The test asks for the next reply with the inline line kNext; anything else (the
  // proxy's own probes) is left unanswered. Connections are served one after the other:
  // the proxy opens one for each client, the harness's readiness probe included.
  void serve() {
    std::size_t next = 0;
    while (next < replies_.size()) {
      const int conn = ::accept(listener_, nullptr, nullptr);
      if (conn < 0) return;
      conn_ = conn;
      char byte = 0;
      std::string line;
      while (next < replies_.size() && ::read(conn, &byte, 1) == 1) {
        line += byte;
        if (byte != '\n') continue;
        if (std::exchange(line, std::string()) != kNext) continue;
        const std::string& reply = replies_[next++];
        for (std::size_t sent = 0; sent < reply.size();) {
          const ssize_t n = ::write(conn, reply.data() + sent, reply.size() - sent);
          if (n <= 0) break;
          sent += static_cast<std::size_t>(n);
        }
      }
      if (conn_.exchange(-1) == conn) ::close(conn);
    }
  }

  std::vector<std::string> replies_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> conn_{-1};
  std::thread thread_;
};

std::string nested_arrays(int depth) {
  std::string bytes;
  for (int i = 0; i < depth; ++i) bytes += "*1\r\n";
  return bytes + "-ERR reached lua stack limit\r\n";
}

// A random RESP3 value of every type, nested up to a few levels.
void random_value(std::mt19937_64& rng, std::string& out, int depth) {
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  static const char* const kScalars[] = {"+OK",   "-ERR x", ":-12", "_",   "#t",   ",-nan",
                                         "(1  2", "+",      "$-1",  "*-1", ",inf", "(123"};
  const std::size_t kind = pick(depth > 4 ? 2 : 4);
  if (kind == 0) {
    out += kScalars[pick(std::size(kScalars))];
    out += "\r\n";
  } else if (kind == 1) {
    std::string payload(pick(40), 'x');
    for (char& c : payload) c = "ab\r\n\0$*"[pick(7)];
    if (pick(3) == 0) {
      out += "=" + std::to_string(payload.size() + 4) + "\r\ntxt:" + payload + "\r\n";
    } else {
      out += "$!"[pick(2)] + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
    }
  } else {
    const char type = "*%~|"[pick(4)];
    const std::size_t n = pick(5);
    out += type + std::to_string(n) + "\r\n";
    const std::size_t children = n * (type == '%' || type == '|' ? 2 : 1) + (type == '|');
    for (std::size_t i = 0; i < children; ++i) random_value(rng, out, depth + 1);
  }
}

TEST(ReplyCorpus, RepliesDeeperThanLuaAllowsAndRandomTreesPassByteForByte) {
  std::vector<std::string> replies = {nested_arrays(10000), nested_arrays(100000)};
  std::mt19937_64 rng(1206);
  for (int i = 0; i < 300; ++i) {
    std::string value;
    random_value(rng, value, 0);
    replies.push_back(std::move(value));
  }
  ScriptedMaster master(replies);
  ProxyProcess proxy(master.port());
  TestConnection client(proxy.port());
  FrameReader from_proxy(client);
  for (std::size_t i = 0; i < replies.size(); ++i) {
    client.send(std::string(kNext));
    const auto got = from_proxy.frames(1, 20s);
    ASSERT_TRUE(got.has_value()) << "reply " << i << ": none\n" << proxy.log();
    // Sizes and heads only: a 400 KB reply in a failure message helps nobody.
    ASSERT_TRUE(*got == replies[i])
        << "reply " << i << " differs: " << got->size() << " bytes, " << got->substr(0, 40)
        << "... for " << replies[i].size() << " bytes, " << replies[i].substr(0, 40) << "...";
  }
}

// An RDB's auxiliary fields and checksum differ between two dumps of the same data (ctime,
// used-mem, the replication offset): the rest must be the same bytes.
std::string rdb_without_aux(const std::string& rdb) {
  constexpr unsigned char kAux = 0xFA;
  std::size_t pos = 9;  // "REDIS0010"
  const auto skip_string = [&] {
    const auto first = static_cast<unsigned char>(rdb.at(pos));
    switch (first >> 6) {
      case 0:
        pos += 1 + (first & 0x3F);
        return;
      case 1:
        pos += 2 + (((first & 0x3F) << 8) | static_cast<unsigned char>(rdb.at(pos + 1)));
        return;
      case 2:
        pos += 5 + ((static_cast<unsigned char>(rdb.at(pos + 1)) << 24) |
                    (static_cast<unsigned char>(rdb.at(pos + 2)) << 16) |
                    (static_cast<unsigned char>(rdb.at(pos + 3)) << 8) |
                    static_cast<unsigned char>(rdb.at(pos + 4)));
        return;
      default:  // an integer: 1, 2 or 4 bytes after the type
        pos += 1 + (first == 0xC0 ? 1 : first == 0xC1 ? 2 : 4);
        return;
    }
  };
  while (pos < rdb.size() && static_cast<unsigned char>(rdb[pos]) == kAux) {
    ++pos;
    skip_string();
    skip_string();
  }
  return rdb.substr(0, 9) + rdb.substr(pos, rdb.size() - pos - 8);
}

// Runs a shell command line, returning its exit status.
int run(const std::string& line) {
  return std::system(line.c_str());
}

TEST(Replication, RdbThroughTheProxyIsTheServersRdb) {
  RedisProcess redis({"--repl-diskless-sync-delay", "0"});
  for (int i = 0; i < 100; ++i) {
    call(redis.port(), {"SET", "key:" + std::to_string(i), std::string(i * 10, 'v')});
  }
  call(redis.port(), {"RPUSH", "list", "a", "b", "c"});
  ProxyProcess proxy(redis.port());
  TempDir dir;
  const std::string direct = dir.path + "/direct.rdb", proxied = dir.path + "/proxy.rdb";
  ASSERT_EQ(run("timeout 30 redis-cli -p " + std::to_string(redis.port()) + " --rdb " + direct +
                " >" + dir.path + "/direct.log 2>&1"),
            0);
  ASSERT_EQ(run("timeout 30 redis-cli -p " + std::to_string(proxy.port()) + " --rdb " + proxied +
                " >" + dir.path + "/proxy.log 2>&1"),
            0)
      << read_file(dir.path + "/proxy.log") << proxy.log();
  const std::string want = read_file(direct), got = read_file(proxied);
  ASSERT_GT(want.size(), 1000u);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(rdb_without_aux(got), rdb_without_aux(want));
  EXPECT_EQ(call(proxy.port(), {"PING"}), "+PONG\r\n");  // the proxy serves on
}

TEST(Replication, ReplicaThroughTheProxyPrintsTheMastersFeed) {
  RedisProcess redis({"--repl-diskless-sync-delay", "0"});
  ProxyProcess proxy(redis.port());
  TempDir dir;
  const std::string out = dir.path + "/replica.out";
  ChildProcess replica({"redis-cli", "-p", std::to_string(proxy.port()), "--replica"}, out);
  const auto deadline = Clock::now() + 20s;
  while (read_file(out).find("SYNC done") == std::string::npos) {
    ASSERT_LT(Clock::now(), deadline) << read_file(out) << proxy.log();
    std::this_thread::sleep_for(20ms);
  }
  call(redis.port(), {"SET", "fed", "through"});
  while (read_file(out).find("\"SET\",\"fed\",\"through\"") == std::string::npos &&
         read_file(out).find("\"set\",\"fed\",\"through\"") == std::string::npos) {
    ASSERT_LT(Clock::now(), deadline) << read_file(out) << proxy.log();
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(
      call(redis.port(), {"INFO", "replication"}).find("connected_slaves:1") != std::string::npos,
      true);
}

}  // namespace
}  // namespace sp::testing
