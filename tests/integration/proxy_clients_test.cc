// Real clients against the proxy: redis-cli (arguments and --pipe), redis-benchmark and
// redis-py. Each runs under `timeout`, so a hang fails the test instead of stalling it.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/proxy_harness.h"

namespace sp::testing {
namespace {

class ProxyClients : public ::testing::Test {
 protected:
  ProxyClients() : proxy_(redis_.port()), dir_(make_temp_dir()) {}
  ~ProxyClients() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // redis-cli's output through the proxy (or, with `port`, against another server).
  std::string cli(const std::string& args, int* status = nullptr, int port = 0) {
    std::string out;
    const int code =
        run_command("timeout 30 redis-cli -p " + std::to_string(port ? port : proxy_.port()) + " " +
                        args + " 2>&1",
                    out);
    if (status != nullptr) *status = code;
    return out;
  }

  RedisProcess redis_;
  ProxyProcess proxy_;
  std::string dir_;
};

TEST_F(ProxyClients, RedisCliWithArguments) {
  int status = -1;
  EXPECT_EQ(cli("SET k 'hello world'", &status), "OK\n");
  EXPECT_EQ(status, 0);
  EXPECT_EQ(cli("GET k"), "hello world\n");
  EXPECT_EQ(cli("RPUSH l a b c"), "3\n");
  EXPECT_EQ(cli("LRANGE l 0 -1"), "a\nb\nc\n");
  EXPECT_EQ(cli("NOSUCHCMD"), "ERR unknown command 'NOSUCHCMD', with args beginning with: \n\n");
  EXPECT_EQ(cli("-3 HSET h a 1"), "1\n");
  for (const char* args : {"GET k", "LRANGE l 0 -1", "NOSUCHCMD x", "GET", "-3 HGETALL nohash",
                           "-3 HGETALL h", "--no-raw LRANGE l 0 -1"}) {
    EXPECT_EQ(cli(args), cli(args, nullptr, redis_.port())) << args;
  }
  EXPECT_EQ(cli("PROXY TOPOLOGY"), "group\nmymaster\nmaster-host\n127.0.0.1\nmaster-port\n" +
                                       std::to_string(redis_.port()) + "\nepoch\n0\n");
  EXPECT_EQ(cli("-3 HGETALL nohash"), "\n");  // RESP3 through HELLO 3
  EXPECT_EQ(call(redis_.port(), {"GET", "k"}), "$11\r\nhello world\r\n");
}

TEST_F(ProxyClients, RedisCliPipeMode) {
  const std::string file = dir_ + "/commands.resp";
  {
    std::ofstream out(file, std::ios::binary);
    for (int i = 0; i < 5000; ++i) {
      out << resp({"SET", "key:" + std::to_string(i), std::string(100, 'v')});
    }
    out << resp({"INCRBY", "sum", "7"});
  }
  int status = -1;
  const std::string out = cli("--pipe < " + file, &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("errors: 0, replies: 5001"), std::string::npos) << out;
  EXPECT_EQ(call(redis_.port(), {"DBSIZE"}), ":5001\r\n");
  EXPECT_EQ(call(redis_.port(), {"GET", "sum"}), "$1\r\n7\r\n");
}

TEST_F(ProxyClients, RedisBenchmark) {
  std::string out;
  const int status = run_command("timeout 60 redis-benchmark -p " + std::to_string(proxy_.port()) +
                                     " -n 2000 -q -t set,get 2>&1",
                                 out);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("SET: "), std::string::npos) << out;
  EXPECT_NE(out.find("GET: "), std::string::npos) << out;
  EXPECT_NE(out.find("requests per second"), std::string::npos) << out;
  EXPECT_TRUE(proxy_.running()) << proxy_.log();
}

// Debian's python3-redis; `python3` on PATH may be another interpreter without it.
std::string python_with_redis() {
  std::string out;
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    if (run_command(std::string(python) + " -c 'import redis' 2>&1", out) == 0) return python;
  }
  return "";
}

TEST_F(ProxyClients, PythonRedisClient) {
  const std::string python = python_with_redis();
  ASSERT_FALSE(python.empty()) << "python3-redis is missing (scripts/install-deps.sh installs it)";
  const std::string script = dir_ + "/client.py";
  std::ofstream(script) << R"PY(
import sys
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=10)
assert r.ping()
assert r.set("k", "v")
assert r.get("k") == "v"
r.hset("h", mapping={"a": "1", "b": "2"})
assert r.hgetall("h") == {"a": "1", "b": "2"}
assert r.incrby("n", 5) == 5

pipe = r.pipeline(transaction=True)
pipe.set("t", "1").incr("t").get("t")
assert pipe.execute() == [True, 2, "2"], "transaction"

pipe = r.pipeline(transaction=False)
for i in range(1000):
    pipe.set(f"p:{i}", i)
assert all(pipe.execute())

try:
    r.execute_command("NOSUCHCMD")
    raise AssertionError("no error")
except redis.ResponseError as e:
    assert "unknown command" in str(e)

p = r.pubsub()
p.subscribe("chan")
confirm = p.get_message(timeout=10)
assert confirm["type"] == "subscribe", confirm
assert r.publish("chan", "hello") == 1
msg = p.get_message(timeout=10)
assert msg is not None and msg["data"] == "hello", msg
p.close()

assert r.eval("return ARGV[1]", 0, "x") == "x"
assert r.blpop(["nolist"], timeout=0.1) is None
r.close()
print("OK")
)PY";
  std::string out;
  const int status = run_command(
      "timeout 60 " + python + " " + script + " " + std::to_string(proxy_.port()) + " 2>&1", out);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "OK\n");
  EXPECT_EQ(call(redis_.port(), {"GET", "p:999"}), "$3\r\n999\r\n");
}

}  // namespace
}  // namespace sp::testing
