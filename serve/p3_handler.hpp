// How `wsvm serve` calls a wasi:http/service@0.3 component (its `wasi:http/handler@0.3.x`
// export): serve/component_handler.cpp runs each request in a fresh instance as for 0.2
// (same isolation, limits, log lines, 5xx on a trap) and calls this instead of 0.2's
// handle(request, response-outparam).
#pragma once

#include <functional>
#include <memory>

#include "component/instance.hpp"
#include "runner/runner.hpp"
#include "wasi/p2/http_types.hpp"

namespace wsvm::serve {

// Calls `handle` (the export `f`) with `req` in `run`'s instance; gives the response head to
// `deliver` when the guest returns it, then runs the instance's tasks and event loop until the
// response body has ended (the guest may write it after returning).
runner::Outcome invoke_p3_handler(runner::Run& run, const component::ComponentFunc& f,
                                  const std::shared_ptr<wasi::p2::http::IncomingRequest>& req,
                                  const std::function<void(wasi::p2::http::ResponseOutcome)>& deliver);

}  // namespace wsvm::serve
