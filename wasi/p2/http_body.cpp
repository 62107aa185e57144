#include "wasi/p2/http_body.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

namespace wsvm::wasi::p2 {
namespace {

void signal_fd(int fd, bool on, bool& is_on) {
  if (fd < 0 || on == is_on) return;
  uint64_t v = 1;
  ssize_t r = on ? ::write(fd, &v, sizeof v) : ::read(fd, &v, sizeof v);
  (void)r;
  is_on = on;
}

}  // namespace

BodyChannel::BodyChannel(size_t capacity, std::optional<uint64_t> length)
    : m_capacity(std::max<size_t>(capacity, 1)), m_length(length) {}

// The eventfds are made when a guest first waits on the channel: most bodies are read and
// written without ever waiting, and two eventfds kept level with every push and take cost
// a server ~15 system calls per request.
void BodyChannel::ensure_signals() {
  if (m_readable_fd >= 0) return;
  m_readable_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  m_writable_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  m_readable_set = m_writable_set = false;
  update_signals();
}

BodyChannel::~BodyChannel() {
  if (m_readable_fd >= 0) ::close(m_readable_fd);
  if (m_writable_fd >= 0) ::close(m_writable_fd);
}

void BodyChannel::update_signals() {
  const size_t buffered = m_buffer.size() - m_head;
  signal_fd(m_readable_fd, buffered > 0 || m_state != State::Open, m_readable_set);
  signal_fd(m_writable_fd, m_state != State::Open || m_reader_left || buffered < m_capacity, m_writable_set);
  m_changed.notify_all();
}

std::optional<size_t> BodyChannel::room() {
  std::lock_guard lock(m_mutex);
  if (m_state != State::Open || m_reader_left) return std::nullopt;
  if (m_length && m_pushed == *m_length) return std::nullopt;  // all declared bytes written
  size_t buffered = m_buffer.size() - m_head;
  size_t n = buffered < m_capacity ? m_capacity - buffered : 0;
  if (m_length) n = size_t(std::min<uint64_t>(n, *m_length - m_pushed));
  return n;
}

std::optional<std::string> BodyChannel::push(std::string_view bytes) {
  std::lock_guard lock(m_mutex);
  if (m_reader_left) return std::string("the reader of the body has gone");
  if (m_state == State::Failed) return m_failure;
  if (m_state == State::Finished) return std::string("the body has already ended");
  if (m_length && bytes.size() > *m_length - m_pushed) {
    m_state = State::Failed;
    m_failure = fmt::format("more body than the declared content-length of {} bytes", *m_length);
    update_signals();
    return m_failure;
  }
  if (m_head > 0 && m_head == m_buffer.size()) m_buffer.clear(), m_head = 0;
  if (!m_discard) m_buffer.append(bytes);
  m_pushed += bytes.size();
  update_signals();
  return std::nullopt;
}

std::optional<std::string> BodyChannel::finish() {
  std::lock_guard lock(m_mutex);
  if (m_state == State::Failed) return m_failure;
  if (m_state == State::Finished) return std::nullopt;
  if (m_length && m_pushed != *m_length) {
    m_state = State::Failed;
    m_failure = fmt::format("the body ended after {} of its declared {} bytes", m_pushed, *m_length);
    update_signals();
    return m_failure;
  }
  m_state = State::Finished;
  update_signals();
  return std::nullopt;
}

void BodyChannel::fail(std::string why) {
  std::lock_guard lock(m_mutex);
  if (m_state != State::Open) return;
  m_state = State::Failed;
  m_failure = std::move(why);
  update_signals();
}

void BodyChannel::set_trailers(Trailers t) {
  std::lock_guard lock(m_mutex);
  if (m_state == State::Open) m_trailers = std::move(t);
}

BodyChannel::Trailers BodyChannel::trailers() {
  std::lock_guard lock(m_mutex);
  return m_trailers;
}

void BodyChannel::discard() {
  std::lock_guard lock(m_mutex);
  m_discard = true;
  m_buffer.clear();
  m_head = 0;
  update_signals();
}

std::string BodyChannel::take(size_t max) {
  std::lock_guard lock(m_mutex);
  size_t n = std::min(max, m_buffer.size() - m_head);
  std::string out = m_buffer.substr(m_head, n);
  m_head += n;
  // Compact once most of the buffer has been read, so a long body does not grow it.
  if (m_head == m_buffer.size()) m_buffer.clear(), m_head = 0;
  else if (m_head > m_capacity) m_buffer.erase(0, m_head), m_head = 0;
  update_signals();
  return out;
}

bool BodyChannel::wait_readable(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(m_mutex);
  return m_changed.wait_until(lock, until, [this] { return m_buffer.size() > m_head || m_state != State::Open; });
}

bool BodyChannel::wait_room(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(m_mutex);
  return m_changed.wait_until(lock, until, [this] {
    return m_buffer.size() - m_head < m_capacity || m_reader_left || m_state != State::Open;
  });
}

void BodyChannel::reader_left() {
  std::lock_guard lock(m_mutex);
  m_reader_left = true;
  update_signals();
}

BodyChannel::State BodyChannel::state() {
  std::lock_guard lock(m_mutex);
  return m_state;
}

std::string BodyChannel::failure() {
  std::lock_guard lock(m_mutex);
  return m_failure;
}

bool BodyChannel::drained() {
  std::lock_guard lock(m_mutex);
  return m_state != State::Open && m_head == m_buffer.size();
}

uint64_t BodyChannel::pushed() {
  std::lock_guard lock(m_mutex);
  return m_pushed;
}

Readiness BodyChannel::readable_readiness() {
  std::lock_guard lock(m_mutex);
  ensure_signals();
  return Readiness::on_fd(m_readable_fd, POLLIN);
}
Readiness BodyChannel::writable_readiness() {
  std::lock_guard lock(m_mutex);
  ensure_signals();
  return Readiness::on_fd(m_writable_fd, POLLIN);
}

StreamResult<std::vector<uint8_t>> ChannelInputStream::read(uint64_t len) {
  std::string got = m_channel->take(size_t(std::min(len, kMaxIoChunk)));
  if (!got.empty() || len == 0) return std::vector<uint8_t>(got.begin(), got.end());
  switch (m_channel->state()) {
    case BodyChannel::State::Open: return std::vector<uint8_t>{};
    case BodyChannel::State::Finished: return std::unexpected(StreamError::end());
    case BodyChannel::State::Failed: break;
  }
  return std::unexpected(StreamError{.closed = false, .host_errno = EIO, .message = m_channel->failure()});
}

StreamResult<uint64_t> ChannelOutputStream::check_write() {
  if (auto n = m_channel->room()) return std::min<uint64_t>(*n, kMaxIoChunk);
  if (m_channel->state() == BodyChannel::State::Failed)
    return std::unexpected(StreamError{.closed = false, .host_errno = EIO, .message = m_channel->failure()});
  return std::unexpected(StreamError::end());
}

StreamResult<void> ChannelOutputStream::write(std::span<const uint8_t> bytes) {
  if (auto why = m_channel->push(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())))
    return std::unexpected(StreamError{.closed = false, .host_errno = EIO, .message = *why});
  return {};
}

}  // namespace wsvm::wasi::p2
