// wasi:http/handler@0.3 under `wsvm serve` (see p3_handler.hpp).
#include "serve/p3_handler.hpp"

#include "component/async.hpp"
#include "wasi/p2/http_body.hpp"
#include "wasi/p3/http_server.hpp"

namespace wsvm::serve {

runner::Outcome invoke_p3_handler(runner::Run& run, const component::ComponentFunc& f,
                                  const std::shared_ptr<wasi::p2::http::IncomingRequest>& req,
                                  const std::function<void(wasi::p2::http::ResponseOutcome)>& deliver) {
  runner::Outcome outcome;
  auto trapped = [&](Trap t) {
    outcome.ending = runner::Ending::Trapped;
    outcome.trap = std::move(t);
    return outcome;
  };
  auto request = wasi::p3::incoming_request(*run.p2_host(), req);
  if (!request) return trapped(request.error());
  component::Val args[] = {*request};
  outcome = run.invoke_component(f, args);
  if (outcome.ending != runner::Ending::Returned || outcome.component_results.empty()) return outcome;
  auto done = std::make_shared<bool>(false);
  auto head = wasi::p3::outgoing_response(*run.p2_host(), outcome.component_results[0], done);
  std::shared_ptr<wasi::p2::BodyChannel> body = head ? head->body : nullptr;
  deliver(std::move(head));
  // The body streams while the guest's tasks run: until it ends, the server reads it.
  if (auto r = component::run_until([done] { return *done; }, &run.store()); !r) {
    if (body) body->fail(r.error().message);
    return trapped(r.error());
  }
  return outcome;
}

}  // namespace wsvm::serve
