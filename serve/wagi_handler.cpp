#include "serve/wagi_handler.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cctype>

#include <fmt/format.h>

#include "decoder/printable.hpp"
#include "serve/mem_file.hpp"

namespace wsvm::serve {
namespace {

Response error_response(int status, std::string_view text) {
  return Response{status, {{"Content-Type", "text/plain; charset=utf-8"}}, std::string(text) + "\n", false};
}

// HTTP_ + the header name upper-cased with '-' as '_' (CGI's meta-variables).
std::string cgi_name(std::string_view header) {
  std::string out = "HTTP_";
  for (char c : header) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> cgi_env(const Request& r, const std::vector<std::string>& base) {
  std::vector<std::string> env = base;
  size_t q = r.target.find('?');
  env.push_back("REQUEST_METHOD=" + r.method);
  env.push_back("PATH_INFO=" + r.target.substr(0, q));
  env.push_back("QUERY_STRING=" + (q == std::string::npos ? std::string() : r.target.substr(q + 1)));
  env.push_back("X_FULL_URL=" + r.target);
  env.push_back("SERVER_PROTOCOL=" + r.version);
  env.push_back("SERVER_SOFTWARE=wsvm");
  env.push_back("GATEWAY_INTERFACE=CGI/1.1");
  env.push_back("REMOTE_ADDR=" + r.remote);
  env.push_back("CONTENT_LENGTH=" + std::to_string(r.body.size()));
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), "content-type") == 0) env.push_back("CONTENT_TYPE=" + v);
    // Proxy-Authorization and Authorization stay out, as CGI servers keep them from scripts.
    if (strcasecmp(k.c_str(), "authorization") == 0 || strcasecmp(k.c_str(), "proxy-authorization") == 0) continue;
    env.push_back(cgi_name(k) + "=" + v);
  }
  return env;
}

// stdout = CGI headers, a blank line, the body.
std::expected<Response, std::string> parse_cgi_output(const std::string& out) {
  size_t end = out.find("\n\n"), skip = 2;
  size_t crlf = out.find("\r\n\r\n");
  if (crlf != std::string::npos && (end == std::string::npos || crlf < end)) end = crlf, skip = 4;
  if (end == std::string::npos) return std::unexpected("no blank line after the headers in the handler's output");
  Response r;
  bool have_status = false, have_location = false;
  size_t pos = 0;
  while (pos < end) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string::npos || nl > end) nl = end;
    std::string line = out.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return std::unexpected("a header line without a name: '" + printable(line) + "'");
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return std::unexpected("bad header name '" + printable(name) + "'");
    for (char c : value)
      if (c == '\r' || c == '\n' || c == '\0') return std::unexpected("bad header value");
    if (strcasecmp(name.c_str(), "status") == 0) {
      int code = 0;
      for (size_t i = 0; i < value.size() && i < 3; ++i) code = std::isdigit(static_cast<unsigned char>(value[i])) ? code * 10 + (value[i] - '0') : -1000;
      if (code < 100 || code > 599) return std::unexpected("bad status '" + printable(value) + "'");
      r.status = code;
      have_status = true;
      continue;
    }
    if (strcasecmp(name.c_str(), "location") == 0) have_location = true;
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!have_status && have_location) r.status = 302;
  r.body = out.substr(end + skip);
  return r;
}

}  // namespace

Handler make_wagi_handler(WagiConfig config) {
  auto c = std::make_shared<const WagiConfig>(std::move(config));
  return [c](const Request& req) -> Response {
    auto log = [&](const std::string& what) {
      if (c->log) c->log(fmt::format("{} {}: {}", printable(req.method), printable(req.target), what));
    };
    auto failed = [&](const char* kind, int status, std::string_view text) {
      if (c->on_failure) c->on_failure(kind);
      return error_response(status, text);
    };
    MemFile in("wsvm-stdin"), out("wsvm-stdout"), err("wsvm-stderr");
    if (in.fd < 0 || out.fd < 0 || err.fd < 0 || !in.fill(req.body) || !out.cap(c->max_output_bytes) || !err.cap(c->max_log_bytes)) {
      log("cannot set up the request's stdio");
      return error_response(500, "internal error");
    }
    runner::RunRequest run_request = c->base;
    run_request.wasi.env = cgi_env(req, c->base.wasi.env);
    run_request.wasi.stdin_fd = in.fd;
    run_request.wasi.stdout_fd = out.fd;
    run_request.wasi.stderr_fd = err.fd;
    std::optional<InstanceGate::Place> place;
    place.emplace(c->gate.get());
    runner::Finished done = runner::run_program(c->program, std::move(run_request));
    done.run.reset();  // the instance goes before the response is built
    place.reset();
    const runner::Outcome& o = done.outcome;
    log_output_lines("stderr", err.written(), log);
    switch (o.ending) {
      case runner::Ending::Returned: break;
      case runner::Ending::Exited:
        if (o.exit_code == 0) break;
        log(fmt::format("handler exited with {}", o.exit_code));
        return failed("exit", 500, "handler failed");
      case runner::Ending::Trapped:
        log("trap: " + printable(o.trap ? o.trap->message : std::string("?")));
        return failed("trap", 500, "handler trapped");
      case runner::Ending::TimedOut:
        log("time limit reached");
        return failed("timeout", 503, "handler ran out of time");
      case runner::Ending::OutOfFuel:
        log("fuel limit reached");
        return failed("fuel", 503, "handler ran out of fuel");
      case runner::Ending::LoadError:
      case runner::Ending::UsageError:
        log("cannot start the handler: " + printable(o.message));
        return failed("start", 500, "handler could not start");
    }
    auto r = parse_cgi_output(out.written());
    if (!r) {
      log("bad handler output: " + r.error());
      return failed("bad_output", 502, "bad handler output");
    }
    return std::move(*r);
  };
}

}  // namespace wsvm::serve
