#include "proxy/config/logging.h"

#include <syslog.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/details/file_helper.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "proxy/config/config_loader.h"

namespace sp::proxy {
namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::trace;
    case LogLevel::kVerbose:
      return spdlog::level::debug;
    case LogLevel::kNotice:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
    case LogLevel::kNothing:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// The log file, opened again by its name on SIGHUP: after logrotate renamed it, lines go
// to a new file under the configured name. The new file is opened before the old one is
// let go, so a failed reopen (the directory gone) leaves logging where it was.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(std::string path) : path_(std::move(path)) {
    file_->open(path_, false);
  }

  bool reopen() {
    auto fresh = std::make_unique<spdlog::details::file_helper>();
    try {
      fresh->open(path_, false);
    } catch (const spdlog::spdlog_ex&) {
      return false;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    file_ = std::move(fresh);
    return true;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_->write(formatted);
  }
  void flush_() override { file_->flush(); }

 private:
  std::string path_;
  std::unique_ptr<spdlog::details::file_helper> file_ =
      std::make_unique<spdlog::details::file_helper>();
};

// syslog-enabled: each line to syslog too, as Redis's serverLogRaw sends it (the message
// alone, syslog stamps it) with Redis's priority for its level.
class SyslogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  SyslogSink(std::string ident, int facility) : ident_(std::move(ident)) {
    ::openlog(ident_.c_str(), LOG_PID | LOG_NDELAY | LOG_NOWAIT, facility);
  }
  ~SyslogSink() override { ::closelog(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    int priority = LOG_WARNING;
    if (msg.level == spdlog::level::trace) priority = LOG_DEBUG;
    if (msg.level == spdlog::level::debug) priority = LOG_INFO;
    if (msg.level == spdlog::level::info) priority = LOG_NOTICE;
    ::syslog(priority, "%.*s", static_cast<int>(msg.payload.size()), msg.payload.data());
  }
  void flush_() override {}

 private:
  std::string ident_;  // openlog keeps the pointer
};

// Redis's level mark: . debug, - verbose, * notice, # warning (and worse).
class RedisLevelMark final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char mark = '#';
    if (msg.level == spdlog::level::trace) mark = '.';
    if (msg.level == spdlog::level::debug) mark = '-';
    if (msg.level == spdlog::level::info) mark = '*';
    dest.push_back(mark);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<RedisLevelMark>();
  }
};

// Set once by setup_logging, before any other thread exists.
std::shared_ptr<ReopenableFileSink> log_file;

}  // namespace

void setup_logging(const Config& config, char role) {
  std::vector<spdlog::sink_ptr> sinks;
  if (config.logfile.empty()) {
    sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  } else {
    log_file = std::make_shared<ReopenableFileSink>(config.logfile);
    sinks.push_back(log_file);
  }
  if (config.syslog_enabled) {
    sinks.push_back(std::make_shared<SyslogSink>(
        config.syslog_ident, syslog_facility_code(config.syslog_facility).value_or(LOG_USER)));
  }
  auto logger = std::make_shared<spdlog::logger>("sentinel-proxy", sinks.begin(), sinks.end());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<RedisLevelMark>('*').set_pattern(std::string("%P:") + role +
                                                       " %d %b %Y %H:%M:%S.%e %* %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(to_spdlog(config.loglevel));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void set_log_level(LogLevel level) {
  spdlog::default_logger()->set_level(to_spdlog(level));
}

void reopen_log_file() {
  if (!log_file) {
    spdlog::info("received SIGHUP: logging to standard output, nothing to reopen");
    return;
  }
  if (log_file->reopen()) {
    spdlog::info("received SIGHUP: log file reopened");
  } else {
    spdlog::warn(
        "received SIGHUP: the log file could not be opened again; logging goes on "
        "to the file open before");
  }
}

}  // namespace sp::proxy
