// The proxy is transparent: a corpus of command sequences covering every command family
// is sent to one redis-server directly and, through a sentinel-proxy, to a second
// redis-server started the same way; the replies must be the same bytes, once values that
// differ by nature (client ids, addresses, timestamps) are masked. Both servers are
// flushed and emptied of clients before each sequence, so both sides see the same state.
// Then the big cases: a 100 MB value and a pipeline of 100 000 commands. Each in four
// modes: a master connection per client, pooled, and both with TLS on both sides of the
// proxy.

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/proxy_harness.h"
#include "tests/support/tls_certs.h"

namespace sp::testing {
namespace {

constexpr int kUntilClosed = -1;

enum class Mask {
  kNone,
  kHelloId,     // the `id` field of a HELLO reply
  kIntegers,    // every integer reply (CLIENT ID)
  kClientInfo,  // CLIENT INFO / LIST: ids, addresses, ages, buffer sizes
  kMonitor,     // MONITOR lines: timestamp and client address
  kUnsubOrder,  // one-letter names in unsubscribe-all confirmations (hash-seed order)
};

struct Step {
  int conn = 0;  // 0: the main connection; 1: a second one (publisher, pusher, killer)
  std::string send;
  int frames = 1;  // reply frames to read, or kUntilClosed
  Mask mask = Mask::kNone;
  int blocked_before = 0;  // first wait until the server has this many blocked clients
};

struct Sequence {
  std::string name;
  std::vector<Step> steps;
};

Step c(const std::vector<std::string>& args, int frames = 1) {
  return {0, resp(args), frames};
}
Step c1(const std::vector<std::string>& args, int frames = 1) {
  return {1, resp(args), frames};
}
Step raw(std::string bytes, int frames) {
  return {0, std::move(bytes), frames};
}
Step read(int conn, int frames = 1) {
  return {conn, "", frames};
}
Step masked(Step s, Mask mask) {
  s.mask = mask;
  return s;
}
Step when_blocked(Step s, int blocked) {
  s.blocked_before = blocked;
  return s;
}
Step quit() {
  return c({"QUIT"}, kUntilClosed);
}

std::string apply_mask(Mask mask, std::string bytes) {
  switch (mask) {
    case Mask::kNone:
      return bytes;
    case Mask::kHelloId:
      return std::regex_replace(bytes, std::regex("(\\$2\r\nid\r\n):[0-9]+"), "$1:<id>");
    case Mask::kIntegers:
      return std::regex_replace(bytes, std::regex(":[0-9]+\r\n"), ":<int>\r\n");
    case Mask::kClientInfo:
      // Identities, times and buffer sizes: rbs and rbp (the query buffer's size and its
      // peak) depend on when Redis's client cron last resized it.
      bytes =
          std::regex_replace(bytes,
                             std::regex("\\b(id|addr|laddr|fd|age|idle|qbuf|qbuf-free|argv-"
                                        "mem|multi-mem|rbs|rbp|obl|oll|omem|tot-mem)=[^ \r\n]*"),
                             "$1=<x>");
      return std::regex_replace(bytes, std::regex("^\\$[0-9]+\r\n"), "$<len>\r\n");
    case Mask::kUnsubOrder:
      return std::regex_replace(bytes, std::regex("(unsubscribe\r\n\\$1\r\n)[a-z]"), "$1?");
    case Mask::kMonitor:
      return std::regex_replace(bytes, std::regex("\\+[0-9]+\\.[0-9]+ \\[([0-9]+) [^\\]]*\\]"),
                                "+<time> [$1 <addr>]");
  }
  return bytes;
}

std::string printable(const std::string& bytes) {
  std::string out;
  for (char ch : bytes) {
    if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(ch) < 0x20) {
      out += "\\x" + std::to_string(static_cast<int>(ch));
    } else {
      out += ch;
    }
  }
  return out.size() > 2000 ? out.substr(0, 2000) + "..." : out;
}

const char* const kLibrary =
    "#!lua name=mylib\n"
    "redis.register_function('myfunc', function(keys, args) return args[1] end)";

std::vector<Sequence> corpus() {
  std::vector<Sequence> all;
  all.push_back({"strings",
                 {c({"SET", "k", "v"}),
                  c({"GET", "k"}),
                  c({"APPEND", "k", "xyz"}),
                  c({"STRLEN", "k"}),
                  c({"GETRANGE", "k", "1", "2"}),
                  c({"SETRANGE", "k", "1", "AB"}),
                  c({"GET", "k"}),
                  c({"INCR", "n"}),
                  c({"INCRBY", "n", "41"}),
                  c({"DECR", "n"}),
                  c({"INCRBYFLOAT", "f", "1.5"}),
                  c({"MSET", "a", "1", "b", "2"}),
                  c({"MGET", "a", "b", "nokey"}),
                  c({"SETNX", "a", "x"}),
                  c({"GETSET", "a", "3"}),
                  c({"GETDEL", "b"}),
                  c({"GET", "nokey"}),
                  c({"SET", "bin", std::string("a\r\n\0b", 5)}),
                  c({"GET", "bin"}),
                  c({"EXPIRE", "k", "100"}),
                  c({"PERSIST", "k"}),
                  c({"TTL", "k"}),
                  c({"SET", "k", "v2", "GET"}),
                  c({"SET", "k", "v3", "NX"}),
                  c({"EXISTS", "k", "a", "z"}),
                  c({"DEL", "k", "a"}),
                  c({"INCR", "bin"}),
                  quit()}});
  all.push_back(
      {"lists",
       {c({"RPUSH", "l", "a", "b", "c"}), c({"LPUSH", "l", "z"}), c({"LRANGE", "l", "0", "-1"}),
        c({"LPOP", "l"}), c({"RPOP", "l", "2"}), c({"RPUSH", "l", "d", "e", "d"}), c({"LLEN", "l"}),
        c({"LINDEX", "l", "1"}), c({"LINSERT", "l", "BEFORE", "e", "x"}),
        c({"LSET", "l", "0", "A"}), c({"LREM", "l", "0", "d"}), c({"LPOS", "l", "x"}),
        c({"LMOVE", "l", "l2", "LEFT", "RIGHT"}), c({"LRANGE", "l2", "0", "-1"}),
        c({"LTRIM", "l", "0", "0"}), c({"LRANGE", "l", "0", "-1"}), c({"LSET", "nolist", "0", "x"}),
        c({"LPOP", "nolist"}), quit()}});
  all.push_back(
      {"hashes",
       {c({"HSET", "h", "f1", "v1", "f2", "v2"}), c({"HGET", "h", "f1"}),
        c({"HMGET", "h", "f1", "nof", "f2"}), c({"HGETALL", "h"}), c({"HINCRBY", "h", "n", "5"}),
        c({"HINCRBYFLOAT", "h", "x", "0.25"}), c({"HDEL", "h", "f2"}), c({"HEXISTS", "h", "f2"}),
        c({"HLEN", "h"}), c({"HKEYS", "h"}), c({"HVALS", "h"}), c({"HSTRLEN", "h", "f1"}),
        c({"HSETNX", "h", "f1", "no"}), c({"HINCRBY", "h", "f1", "1"}), quit()}});
  // Set order depends on each server's hash seed: integers (an intset) and SORT only.
  all.push_back(
      {"sets",
       {c({"SADD", "s", "3", "1", "2"}), c({"SMEMBERS", "s"}), c({"SADD", "s", "2"}),
        c({"SISMEMBER", "s", "1"}), c({"SMISMEMBER", "s", "1", "9"}), c({"SCARD", "s"}),
        c({"SADD", "t", "2", "3", "4"}), c({"SINTER", "s", "t"}), c({"SINTERCARD", "2", "s", "t"}),
        c({"SUNIONSTORE", "u", "s", "t"}), c({"SORT", "u"}),
        c({"SADD", "w", "pear", "apple", "fig"}), c({"SORT", "w", "ALPHA"}),
        c({"SREM", "s", "1", "9"}), c({"SMOVE", "s", "t", "2"}), quit()}});
  all.push_back(
      {"sorted sets",
       {c({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), c({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
        c({"ZSCORE", "z", "b"}), c({"ZINCRBY", "z", "2.5", "a"}), c({"ZRANK", "z", "a"}),
        c({"ZREVRANGE", "z", "0", "1"}), c({"ZRANGEBYSCORE", "z", "(1", "+inf", "LIMIT", "0", "2"}),
        c({"ZCOUNT", "z", "-inf", "+inf"}), c({"ZPOPMIN", "z"}), c({"ZREM", "z", "c", "q"}),
        c({"ZCARD", "z"}), c({"ZADD", "z", "INCR", "10", "a"}), c({"ZMSCORE", "z", "a", "q"}),
        c({"ZADD", "z", "NX", "XX", "1", "a"}), quit()}});
  all.push_back(
      {"streams",
       {c({"XADD", "s", "1-1", "f", "v"}), c({"XADD", "s", "2-1", "f2", "v2", "f3", "v3"}),
        c({"XADD", "s", "1-0", "f", "v"}), c({"XLEN", "s"}), c({"XRANGE", "s", "-", "+"}),
        c({"XREVRANGE", "s", "+", "-", "COUNT", "1"}),
        c({"XREAD", "COUNT", "1", "STREAMS", "s", "0"}), c({"XGROUP", "CREATE", "s", "g", "0"}),
        c({"XREADGROUP", "GROUP", "g", "c1", "COUNT", "10", "STREAMS", "s", ">"}),
        c({"XACK", "s", "g", "1-1"}), c({"XPENDING", "s", "g"}), c({"XDEL", "s", "1-1"}),
        c({"XTRIM", "s", "MAXLEN", "1"}), c({"XLEN", "s"}), quit()}});
  all.push_back({"resp3 and client tracking",
                 {masked(c({"HELLO", "3"}), Mask::kHelloId),
                  c({"SET", "k", "v"}),
                  c({"GET", "k"}),
                  c({"HSET", "h", "a", "1", "b", "2"}),
                  c({"HGETALL", "h"}),
                  c({"SADD", "s", "3", "1"}),
                  c({"SMEMBERS", "s"}),
                  c({"ZADD", "z", "1.5", "m"}),
                  c({"ZSCORE", "z", "m"}),
                  c({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
                  c({"GET", "nokey"}),
                  c({"EXISTS", "k"}),
                  c({"CLIENT", "TRACKING", "on"}),
                  c({"GET", "k"}),
                  c1({"SET", "k", "v2"}),
                  read(0),  // the invalidation push
                  c({"GET", "k"}),
                  c({"SET", "k", "v3"}, 2),  // +OK and our own invalidation
                  c({"CLIENT", "TRACKING", "off"}),
                  masked(c({"HELLO", "2"}), Mask::kHelloId),
                  c({"HGETALL", "h"}),
                  quit()}});
  all.push_back({"pubsub resp2",
                 {c({"SUBSCRIBE", "a", "b"}, 2),
                  c({"PSUBSCRIBE", "p*"}),
                  c({"SSUBSCRIBE", "s"}),
                  c1({"PUBLISH", "a", "hello"}),
                  read(0),
                  c1({"PUBLISH", "pz", "x"}),
                  read(0),
                  c1({"SPUBLISH", "s", "y"}),
                  read(0),
                  c({"GET", "k"}),
                  c({"SET", "k", "v"}),
                  c({"PING"}),
                  c({"PING", "hi"}),
                  c({"SUBSCRIBE", "a"}),
                  c({"UNSUBSCRIBE", "a"}),
                  c({"PUNSUBSCRIBE"}),
                  c({"SUNSUBSCRIBE"}),
                  c({"UNSUBSCRIBE"}),
                  c({"UNSUBSCRIBE"}),
                  c({"GET", "k"}),
                  c({"PING"}),
                  quit()}});
  // Pipelined in one write: the proxy's own +OK must wait for every confirmation.
  all.push_back(
      {"pubsub pipelined with quit",
       {raw(resp({"SUBSCRIBE", "a", "b", "c"}) + resp({"PING"}) + resp({"QUIT"}), kUntilClosed)}});
  all.push_back(
      {"unsubscribe all pipelined with quit",
       {c({"SUBSCRIBE", "a", "b"}, 2), c({"PSUBSCRIBE", "x", "y"}, 2),
        masked(raw(resp({"UNSUBSCRIBE"}) + resp({"PUNSUBSCRIBE"}) + resp({"QUIT"}), kUntilClosed),
               Mask::kUnsubOrder)}});
  all.push_back({"subscribe to three pipelined with quit",
                 {raw(resp({"SUBSCRIBE", "a", "b", "c"}) + resp({"QUIT"}), kUntilClosed)}});
  all.push_back(
      {"pubsub resp3",
       {masked(c({"HELLO", "3"}), Mask::kHelloId), c({"SUBSCRIBE", "a"}), c1({"PUBLISH", "a", "m"}),
        read(0), c({"SET", "k", "v"}), c({"GET", "k"}), c({"PING"}), c({"UNSUBSCRIBE"}),
        c({"SUBSCRIBE", "b"}), c({"RESET"}), c({"GET", "k"}), quit()}});
  all.push_back({"pubsub reset in resp2",
                 {c({"SUBSCRIBE", "a"}), c({"RESET"}), c({"GET", "k"}), c1({"PUBLISH", "a", "m"}),
                  c({"PING"}), quit()}});
  all.push_back({"transactions",
                 {c({"MULTI"}),
                  c({"SET", "k", "1"}),
                  c({"INCR", "k"}),
                  c({"GET", "k"}),
                  c({"EXEC"}),
                  c({"MULTI"}),
                  c({"SET", "k", "x"}),
                  c({"DISCARD"}),
                  c({"GET", "k"}),
                  c({"MULTI"}),
                  c({"NOSUCHCMD"}),
                  c({"EXEC"}),
                  c({"MULTI"}),
                  c({"MULTI"}),
                  c({"INCR", "k"}),
                  c({"LPUSH", "k", "x"}),
                  c({"EXEC"}),
                  c({"EXEC"}),
                  c({"DISCARD"}),
                  c({"WATCH", "k"}),
                  c1({"SET", "k", "other"}),
                  c({"MULTI"}),
                  c({"SET", "k", "mine"}),
                  c({"EXEC"}),
                  c({"GET", "k"}),
                  c({"WATCH", "k"}),
                  c({"UNWATCH"}),
                  c1({"SET", "k", "again"}),
                  c({"MULTI"}),
                  c({"GET", "k"}),
                  c({"EXEC"}),
                  raw(resp({"MULTI"}) + resp({"SET", "p", "1"}) + resp({"EXEC"}) + resp({"QUIT"}),
                      kUntilClosed)}});
  all.push_back(
      {"blocking commands",
       {c({"BLPOP", "nolist", "0.05"}), c({"BLPOP", "q", "0"}, 0),
        when_blocked(c1({"RPUSH", "q", "x"}), 1), read(0),
        c({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}, 0),
        when_blocked(c1({"LPUSH", "src", "e"}), 1), read(0), c({"LRANGE", "dst", "0", "-1"}),
        c({"BZPOPMIN", "z", "0"}, 0), when_blocked(c1({"ZADD", "z", "1", "m"}), 1), read(0),
        c({"XADD", "s", "1-1", "f", "v"}), c({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"}, 0),
        when_blocked(c1({"XADD", "s", "5-1", "f", "w"}), 1), read(0),
        c({"XREAD", "BLOCK", "50", "STREAMS", "s", "$"}), c({"WAIT", "1", "0"}),
        c({"WAIT", "2", "50"}), raw(resp({"BLPOP", "q", "0.05"}) + resp({"QUIT"}), kUntilClosed)}});
  all.push_back({"scripting and functions",
                 {c({"EVAL",
                     "return {KEYS[1], ARGV[1], redis.call('SET', KEYS[1], ARGV[1]), "
                     "redis.call('GET', KEYS[1]), 42, {1, 'x'}}",
                     "1", "k", "v"}),
                  c({"EVAL", "return redis.error_reply('MYERR boom')", "0"}),
                  c({"EVAL", "return redis.call('NOSUCH')", "0"}), c({"EVAL", "return", "0"}),
                  c({"SCRIPT", "LOAD", "return ARGV[1]"}),
                  c({"EVALSHA", "098e0f0d1448c0a81dafe820f66d460eb09263da", "0", "hi"}),
                  c({"SCRIPT", "EXISTS", "098e0f0d1448c0a81dafe820f66d460eb09263da", "ffff"}),
                  c({"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"}),
                  c({"FUNCTION", "LOAD", kLibrary}), c({"FCALL", "myfunc", "0", "hello"}),
                  c({"FCALL_RO", "myfunc", "0", "hello"}), c({"FUNCTION", "LIST"}),
                  c({"FUNCTION", "LOAD", kLibrary}), c({"FUNCTION", "DELETE", "mylib"}),
                  c({"FCALL", "myfunc", "0", "x"}), quit()}});
  all.push_back(
      {"select",
       {c({"SELECT", "1"}), c({"SET", "k", "in1"}), c({"SELECT", "0"}), c({"GET", "k"}),
        c({"SELECT", "1"}), c({"GET", "k"}), c({"DBSIZE"}), c({"SELECT", "99"}), c({"SELECT", "x"}),
        c({"SWAPDB", "0", "1"}), c({"SELECT", "0"}), c({"GET", "k"}), quit()}});
  all.push_back(
      {"auth and acl users",
       {c({"AUTH", "nopass"}), c({"ACL", "SETUSER", "alice", "on", ">pass", "~*", "&*", "+@all"}),
        c({"ACL", "SETUSER", "bob", "on", ">p", "~foo*", "+get"}), c({"AUTH", "alice", "wrong"}),
        c({"AUTH", "alice", "pass"}), c({"ACL", "WHOAMI"}), c({"SET", "foo1", "x"}),
        c({"AUTH", "bob", "p"}), c({"ACL", "WHOAMI"}), c({"GET", "foo1"}), c({"GET", "bar"}),
        c({"SET", "foo1", "y"}), masked(c({"HELLO", "3", "AUTH", "alice", "pass"}), Mask::kHelloId),
        c({"ACL", "WHOAMI"}), c({"ACL", "DELUSER", "bob"}), quit()}});
  all.push_back({"client commands",
                 {c({"CLIENT", "GETNAME"}),
                  c({"CLIENT", "SETNAME", "myname"}),
                  c({"CLIENT", "GETNAME"}),
                  c({"CLIENT", "SETNAME", "bad name"}),
                  masked(c({"CLIENT", "ID"}), Mask::kIntegers),
                  masked(c({"CLIENT", "INFO"}), Mask::kClientInfo),
                  c({"CLIENT", "KILL", "ID", "999999999"}),
                  c({"CLIENT", "NO-EVICT", "on"}),
                  c({"CLIENT", "TRACKING", "on", "BCAST"}),
                  c({"CLIENT", "TRACKING", "off"}),
                  c({"CLIENT", "NOSUCH"}),
                  c({"ACL", "SETUSER", "alice", "on", ">pass", "~*", "+@all"}),
                  c1({"AUTH", "alice", "pass"}),
                  c({"CLIENT", "KILL", "USER", "alice"}),
                  {1, resp({"PING"}), kUntilClosed},
                  c({"CLIENT", "GETNAME"}),
                  quit()}});
  all.push_back({"client reply off and skip",
                 {c({"CLIENT", "REPLY", "OFF"}, 0), c({"SET", "k", "v"}, 0),
                  c({"CLIENT", "REPLY", "ON"}), c({"GET", "k"}), c({"CLIENT", "REPLY", "SKIP"}, 0),
                  c({"SET", "k", "w"}, 0), c({"GET", "k"}), quit()}});
  all.push_back({"monitor",
                 {c({"MONITOR"}), c1({"SET", "k", "v"}), masked(read(0), Mask::kMonitor),
                  c1({"GET", "k"}), masked(read(0), Mask::kMonitor)}});
  all.push_back(
      {"inline commands",
       {raw("SET k v\r\n", 1), raw("GET k\r\n", 1), raw("PING\r\n", 1), raw("\r\n", 0),
        raw("  ECHO \"a b\\n\"  \r\n", 1), raw("set k 'x y'\r\n", 1), raw("EXISTS k nokey\n", 1),
        raw("GET k\r\nPING\r\nECHO x\r\n", 3), raw("QUIT\r\n", kUntilClosed)}});
  all.push_back({"errors",
                 {c({"NOSUCHCMD", "a", "b"}), c({"GET"}), c({"SET", "k"}), c({"GET", "a", "b"}),
                  c({"SET", "k", "v"}), c({"LPUSH", "k", "x"}), c({"INCR", "k"}),
                  c({"SET", "k", "v", "EX", "-1"}), c({"CONFIG", "GET"}), c({"HELLO", "4"}),
                  c({"OBJECT", "NOSUCH"}), quit()}});
  all.push_back({"pipeline with quit in the middle",
                 {raw(resp({"SET", "k", "v"}) + resp({"PING"}) + resp({"NOSUCH"}) +
                          resp({"GET", "k"}) + resp({"QUIT"}) + resp({"SET", "k", "lost"}),
                      kUntilClosed)}});
  return all;
}

// Both backend modes: a connection of its own per client (the default), and pooled
// (backend-pool-size), where stateless commands share the worker's connections and the
// rest pin one of their own; either way the client gets the same bytes.
// kTls, kPooledTls: TLS on both sides of the proxy: the corpus's plain connections go
// through a relay that speaks TLS to the proxy's tls-port, and the proxy speaks TLS to the
// server's (tls-replication yes).
// kDurable, kPooledDurable: write-durability replica, a WAIT behind each run of writes that
// the client never sees (both servers have a replica, so that WAIT in the corpus answers
// alike).
enum class BackendMode { kDedicated, kPooled, kTls, kPooledTls, kDurable, kPooledDurable };

bool pooled(BackendMode mode) {
  return mode == BackendMode::kPooled || mode == BackendMode::kPooledTls ||
         mode == BackendMode::kPooledDurable;
}
bool durable(BackendMode mode) {
  return mode == BackendMode::kDurable || mode == BackendMode::kPooledDurable;
}
bool tls(BackendMode mode) {
  return mode == BackendMode::kTls || mode == BackendMode::kPooledTls;
}

std::string mode_name(const ::testing::TestParamInfo<BackendMode>& info) {
  switch (info.param) {
    case BackendMode::kPooled:
      return "Pooled";
    case BackendMode::kTls:
      return "Tls";
    case BackendMode::kPooledTls:
      return "PooledTls";
    case BackendMode::kDurable:
      return "Durable";
    case BackendMode::kPooledDurable:
      return "PooledDurable";
    case BackendMode::kDedicated:
      break;
  }
  return "Dedicated";
}

class ProxyCompat : public ::testing::TestWithParam<BackendMode> {
 protected:
  static constexpr int kPoolSize = 2;

  static void SetUpTestSuite() {
    certs_dir_ = new TempDir();
    certs_ = new TlsCerts(TlsCerts::make(certs_dir_->path));
    direct_ = new RedisProcess();
    // Its port in the clear for the checks, its TLS port for the proxy in kTls.
    behind_tls_port_ = free_loopback_port();
    std::vector<std::string> tls = {"--tls-port", std::to_string(behind_tls_port_)};
    for (const auto& word : certs_->server_args()) tls.push_back(word);
    behind_ = new RedisProcess(tls);
    direct_replica_ =
        new RedisProcess({"--replicaof", "127.0.0.1", std::to_string(direct_->port())});
    behind_replica_ =
        new RedisProcess({"--replicaof", "127.0.0.1", std::to_string(behind_->port())});
    for (const RedisProcess* replica : {direct_replica_, behind_replica_}) {
      ASSERT_TRUE(wait_until(
          [&] {
            return info_field(call(replica->port(), {"INFO", "replication"}),
                              "master_link_status") == "up";
          },
          10s));
    }
  }
  static void TearDownTestSuite() {
    delete behind_replica_;
    delete direct_replica_;
    delete behind_;
    delete direct_;
    delete certs_;
    delete certs_dir_;
  }
  void SetUp() override {
    std::vector<std::string> args;
    int upstream = behind_->port();
    if (pooled(GetParam())) args = {"--backend-pool-size", std::to_string(kPoolSize)};
    // A timeout for a busy machine: here a write is refused only when no replica is there.
    if (durable(GetParam())) {
      args.insert(args.end(),
                  {"--write-durability", "replica", "--write-durability-timeout", "10000"});
    }
    int tls_port = 0;
    if (tls(GetParam())) {
      tls_port = free_loopback_port();
      args.insert(args.end(), {"--tls-port", std::to_string(tls_port), "--tls-replication", "yes"});
      for (const auto& word : certs_->server_args()) args.push_back(word);
      upstream = behind_tls_port_;
    }
    proxy_ = std::make_unique<ProxyProcess>(upstream, args);
    if (tls_port != 0) relay_ = std::make_unique<TlsRelay>(*certs_, tls_port, certs_dir_->path);
    shared_links_ = 0;
    if (pooled(GetParam())) {
      // Clients take the links in turn: this many PINGs open every one of them.
      for (int i = 0; i < kPoolSize; ++i) ASSERT_EQ(call(proxy_->port(), {"PING"}), "+PONG\r\n");
      shared_links_ = kPoolSize;
    }
  }
  void TearDown() override {
    relay_.reset();
    proxy_.reset();
  }
  // Where the corpus's clients connect: the proxy's port, or the relay to its TLS port.
  int client_port() const { return relay_ ? relay_->port() : proxy_->port(); }

  // The shared connections a pooled proxy keeps open to `behind_` (until it ends): what
  // reset_server must not wait for.
  static int shared_links_;

  // Flushes a server and waits until the admin connection is its only client (sessions of
  // the previous sequence are gone, so they cannot receive anything).
  static void reset_server(int port) {
    const std::string clients = std::to_string(1 + (port == behind_->port() ? shared_links_ : 0));
    ASSERT_EQ(call(port, {"FLUSHALL"}), "+OK\r\n");
    ASSERT_EQ(call(port, {"SCRIPT", "FLUSH"}), "+OK\r\n");
    ASSERT_EQ(call(port, {"FUNCTION", "FLUSH"}), "+OK\r\n");
    call(port, {"ACL", "DELUSER", "alice", "bob"});
    ASSERT_TRUE(wait_until(
        [&] {
          return info_field(call(port, {"INFO", "clients"}), "connected_clients") == clients;
        },
        10s))
        << "clients of a previous sequence still connected to " << port;
  }

  static int blocked_clients(int server_port) {
    const std::string v = info_field(call(server_port, {"INFO", "clients"}), "blocked_clients");
    return v.empty() ? -1 : std::stoi(v);
  }

  // Runs `sequence` with clients connecting to `client_port`, whose commands end up on
  // `server_port`; one transcript line per step.
  static std::vector<std::string> run(const Sequence& sequence, int client_port, int server_port) {
    std::vector<std::unique_ptr<TestConnection>> conns;
    std::vector<std::unique_ptr<FrameReader>> readers;
    std::vector<std::string> transcript;
    for (const Step& step : sequence.steps) {
      while (static_cast<int>(conns.size()) <= step.conn) {
        conns.push_back(std::make_unique<TestConnection>(client_port));
        readers.push_back(std::make_unique<FrameReader>(*conns.back()));
      }
      std::string line;
      if (step.blocked_before > 0 &&
          !wait_until([&] { return blocked_clients(server_port) == step.blocked_before; }, 10s)) {
        line += "<never blocked> ";
      }
      conns[step.conn]->send(step.send);
      if (step.frames == kUntilClosed) {
        auto bytes = readers[step.conn]->until_closed(10s);
        line += bytes ? apply_mask(step.mask, *bytes) + "<closed>"
                      : "<still open after: " + readers[step.conn]->buffered() + ">";
      } else {
        auto bytes = readers[step.conn]->frames(static_cast<std::size_t>(step.frames), 10s);
        line += bytes ? apply_mask(step.mask, *bytes)
                      : "<timed out after: " + readers[step.conn]->buffered() + ">";
      }
      transcript.push_back(line);
    }
    for (std::size_t i = 0; i < readers.size(); ++i) {
      transcript.push_back("left on connection " + std::to_string(i) + ": " +
                           readers[i]->buffered());
    }
    return transcript;
  }

  static RedisProcess* direct_;
  static RedisProcess* behind_;
  static RedisProcess* direct_replica_;
  static RedisProcess* behind_replica_;
  static int behind_tls_port_;
  static TempDir* certs_dir_;
  static TlsCerts* certs_;
  std::unique_ptr<ProxyProcess> proxy_;
  std::unique_ptr<TlsRelay> relay_;
};

RedisProcess* ProxyCompat::direct_ = nullptr;
RedisProcess* ProxyCompat::behind_ = nullptr;
RedisProcess* ProxyCompat::direct_replica_ = nullptr;
RedisProcess* ProxyCompat::behind_replica_ = nullptr;
int ProxyCompat::behind_tls_port_ = 0;
TempDir* ProxyCompat::certs_dir_ = nullptr;
TlsCerts* ProxyCompat::certs_ = nullptr;
int ProxyCompat::shared_links_ = 0;

INSTANTIATE_TEST_SUITE_P(BackendModes, ProxyCompat,
                         ::testing::Values(BackendMode::kDedicated, BackendMode::kPooled,
                                           BackendMode::kTls, BackendMode::kPooledTls,
                                           BackendMode::kDurable, BackendMode::kPooledDurable),
                         mode_name);

TEST_P(ProxyCompat, EveryFamilyGetsTheSameBytesAsDirect) {
  for (const Sequence& sequence : corpus()) {
    SCOPED_TRACE(sequence.name);
    // The documented exceptions of durability mode: a MONITOR sees the proxy's WAITs, and
    // CLIENT REPLY OFF|SKIP is refused (proxy_durability_test).
    if (durable(GetParam()) &&
        (sequence.name == "monitor" || sequence.name == "client reply off and skip")) {
      continue;
    }
    reset_server(direct_->port());
    reset_server(behind_->port());
    const auto expected = run(sequence, direct_->port(), direct_->port());
    const auto actual = run(sequence, client_port(), behind_->port());
    ASSERT_EQ(expected.size(), actual.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(printable(actual[i]), printable(expected[i]))
          << sequence.name << ", step " << i
          << (i < sequence.steps.size() ? ": " + printable(sequence.steps[i].send) : "");
      // A timeout on the direct side means the corpus itself is wrong.
      for (const char* marker : {"<timed out", "<still open", "<never blocked>"}) {
        EXPECT_EQ(expected[i].find(marker), std::string::npos) << sequence.name << " " << i;
      }
    }
  }
  EXPECT_TRUE(proxy_->running()) << proxy_->log();
}

TEST_P(ProxyCompat, HundredMegabyteValueRoundTrip) {
  reset_server(behind_->port());
  std::string value(100 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>('a' + i % 23);
  value.replace(1000, 4, "\r\n\r\n");
  TestConnection conn(client_port());
  ASSERT_TRUE(conn.connected());
  FrameReader reader(conn);
  conn.send(resp({"SET", "big", value}));
  EXPECT_EQ(reader.frames(1, 30s).value_or("<none>"), "+OK\r\n");
  EXPECT_EQ(call(behind_->port(), {"STRLEN", "big"}), ":" + std::to_string(value.size()) + "\r\n");
  conn.send(resp({"GET", "big"}) + resp({"PING"}));
  const auto reply = reader.frames(2, 30s);
  ASSERT_TRUE(reply.has_value()) << "got " << reader.buffered().size() << " bytes";
  const std::string header = "$" + std::to_string(value.size()) + "\r\n";
  ASSERT_EQ(reply->size(), header.size() + value.size() + 2 + 7);
  EXPECT_EQ(reply->compare(0, header.size(), header), 0);
  EXPECT_TRUE(reply->compare(header.size(), value.size(), value) == 0) << "value differs";
  EXPECT_EQ(reply->substr(header.size() + value.size()), "\r\n+PONG\r\n");
}

TEST_P(ProxyCompat, PipelineOfHundredThousandCommands) {
  reset_server(behind_->port());
  constexpr int kCommands = 100'000;
  std::string pipeline;
  for (int i = 0; i < kCommands; ++i) pipeline += resp({"INCR", "counter"});
  TestConnection conn(client_port());
  ASSERT_TRUE(conn.connected());
  // Written from another thread while this one reads, as a real pipelining client does.
  std::thread writer([&] { conn.send(pipeline); });
  FrameReader reader(conn);
  auto replies = reader.frames(kCommands, 60s);
  writer.join();
  ASSERT_TRUE(replies.has_value()) << "timed out with " << reader.buffered().size() << " bytes";
  std::string expected;
  for (int i = 1; i <= kCommands; ++i) expected += ":" + std::to_string(i) + "\r\n";
  EXPECT_TRUE(*replies == expected) << "replies differ from :1 .. :100000";
  EXPECT_TRUE(reader.buffered().empty());
  EXPECT_EQ(call(behind_->port(), {"GET", "counter"}), "$6\r\n100000\r\n");
}

}  // namespace
}  // namespace sp::testing
