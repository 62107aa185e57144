// Serving a wasi:http/handler@0.3.0 component (an embedder's side: serve/p3_handler.cpp): the
// request the server received as the guest's `request` resource, and the guest's result as
// a response head and a body channel the server reads. The bytes move in this thread's event
// loop (component/event_loop.hpp) while the embedder runs it (component::run_until): the
// request body is pumped from its BodyChannel as the guest reads `consume-body`'s stream, the
// response body into a new BodyChannel as the guest writes it, its trailers after it.
#pragma once

#include <expected>
#include <memory>

#include "wasi/p2/http_types.hpp"
#include "wasi/p3/host.hpp"

namespace wsvm::wasi::p3 {

// The guest's own handle of a request with `req`'s head; its body and trailers are
// `req->body`'s, given to the guest when it consumes the body.
component::AbiResult<component::Val> incoming_request(p2::Host& h, const std::shared_ptr<p2::http::IncomingRequest>& req);

// The handler's result<response, error-code>: the response's status and headers, and a body
// channel filled as the guest writes (`*done` becomes true once the body has ended, well or
// not); or the error-code the guest answered with.
std::expected<p2::http::ResponseHead, p2::http::ErrorCode> outgoing_response(p2::Host& h, const component::Val& result,
                                                                             std::shared_ptr<bool> done);

}  // namespace wsvm::wasi::p3
