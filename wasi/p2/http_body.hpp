// An HTTP body crossing threads: a bounded byte channel between a guest (reading a request
// body or writing a response body through wasi:io streams) and a host thread (a server's
// connection thread, an HTTP client's transfer). The guest side never blocks inside the
// channel: it polls eventfds that mirror the channel's state (readable: data or the end is
// there; writable: there is room or the reader left), so the one wait loop of io.hpp serves
// it. The host side blocks on a condition variable, with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wasi/p2/io.hpp"

namespace wsvm::wasi::p2 {

class BodyChannel {
 public:
  // `capacity`: bytes buffered before the writer must wait (a host writer may exceed it;
  // its own limits bound what it sends). `length`: a declared Content-Length, which the
  // writer may not exceed and must reach before finish().
  explicit BodyChannel(size_t capacity = size_t{1} << 20, std::optional<uint64_t> length = std::nullopt);
  ~BodyChannel();
  BodyChannel(const BodyChannel&) = delete;
  BodyChannel& operator=(const BodyChannel&) = delete;

  enum class State { Open, Finished, Failed };

  // ---- writer side
  // Bytes the writer may push now; nullopt once the reader left or the body failed.
  std::optional<size_t> room();
  // Appends (a guest writer has asked room() first). Fails (with the reason) past the
  // declared length, after the end, or when the reader left.
  std::optional<std::string> push(std::string_view bytes);
  // The body ended well; fails (the body is then Failed) if a declared length was not reached.
  std::optional<std::string> finish();
  // The body ended badly (`why` is what the reader sees).
  void fail(std::string why);
  // The trailer fields sent after the body (names lower-cased, checked by the writer);
  // set before finish().
  using Trailers = std::vector<std::pair<std::string, std::string>>;
  void set_trailers(Trailers t);

  // ---- reader side
  // Up to `max` bytes now (empty: none yet, or the end: see state()).
  std::string take(size_t max);
  // Waits until there is data or the end, at most until `until`; false on timeout.
  bool wait_readable(std::chrono::steady_clock::time_point until);
  // Writer side: waits until fewer than `capacity` bytes are unread, or the reader left,
  // at most until `until`; false on timeout.
  bool wait_room(std::chrono::steady_clock::time_point until);
  // The reader is gone (a client disconnected): the writer's next push fails.
  void reader_left();
  // The reader wants no more bytes, only how the body ends and its trailers (a guest's
  // incoming-body.finish): what is buffered and what comes later is dropped, so readable
  // readiness now means "ended".
  void discard();
  Trailers trailers();  // what the writer set (empty until then)

  State state();
  std::string failure();              // the reason, when Failed
  bool drained();                     // ended and nothing left to take
  uint64_t pushed();                  // bytes written so far
  std::optional<uint64_t> length() const { return m_length; }

  // The guest's wait conditions as pollable readiness (eventfds kept level with the state,
  // made at the first call).
  Readiness readable_readiness();
  Readiness writable_readiness();

 private:
  void update_signals();  // with m_mutex held
  void ensure_signals();  // with m_mutex held: the eventfds exist and are level

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::string m_buffer;
  size_t m_head = 0;  // bytes of m_buffer already taken
  size_t m_capacity;
  std::optional<uint64_t> m_length;
  uint64_t m_pushed = 0;
  State m_state = State::Open;
  std::string m_failure;
  bool m_reader_left = false;
  bool m_discard = false;
  Trailers m_trailers;
  int m_readable_fd = -1, m_writable_fd = -1;
  bool m_readable_set = false, m_writable_set = false;
};

// The guest's ends: an input-stream reading a channel, an output-stream writing one.
class ChannelInputStream : public InputStream {
 public:
  explicit ChannelInputStream(std::shared_ptr<BodyChannel> c) : m_channel(std::move(c)) {}
  StreamResult<std::vector<uint8_t>> read(uint64_t len) override;
  Readiness readiness() override { return m_channel->readable_readiness(); }

 private:
  std::shared_ptr<BodyChannel> m_channel;
};

class ChannelOutputStream : public OutputStream {
 public:
  explicit ChannelOutputStream(std::shared_ptr<BodyChannel> c) : m_channel(std::move(c)) {}
  StreamResult<uint64_t> check_write() override;
  StreamResult<void> write(std::span<const uint8_t> bytes) override;
  Readiness readiness() override { return m_channel->writable_readiness(); }

 private:
  std::shared_ptr<BodyChannel> m_channel;
};

}  // namespace wsvm::wasi::p2
