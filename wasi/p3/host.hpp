// The WASI 0.3 host (wasi:*@0.3.0), natively, beside the 0.2 one: I/O is component-model
// streams and futures (component/host_channel.hpp) driven by the scheduler's event loop
// (component/event_loop.hpp), blocking calls are `async func`s that resolve later
// (ComponentLinker::define_instance_async_func). It acts on the instance's 0.2 Host: the same
// grants (args, env, preopens with `:ro`, the network switch), the same resource table and the
// same rules, so a component importing both 0.2 and 0.3 interfaces (the Rust wasm32-wasip3
// target's std does) sees one set of capabilities.
#pragma once

#include <string>
#include <string_view>

#include "component/instance.hpp"
#include "wasi/p2/host.hpp"

namespace wsvm::wasi::p3 {

inline constexpr std::string_view kVersion = "0.3.0";
// "wasi:cli/stdout" -> "wasi:cli/stdout@0.3.0".
std::string iface(std::string_view name);

// Defines every wasi:*@0.3.0 interface this host has in `linker`, acting on `host` (which must
// outlive the instance, as for p2::Host::define). Call after host.define(linker): the 0.3
// functions that are the same as 0.2's reuse them.
void define(component::ComponentLinker& linker, p2::Host& host);

}  // namespace wsvm::wasi::p3
