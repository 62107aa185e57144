// Shared by the define*.cpp files of the 0.3 host.
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

#include "wasi/p3/host.hpp"

namespace wsvm::wasi::p3 {

// Defines 0.3 interface `p3_iface`'s functions as the 0.2 host's functions of `p2_iface`
// (already defined in `l`), each pair naming the 0.2 function and its 0.3 name.
void reuse_p2(component::ComponentLinker& l, std::string_view p2_iface, std::string_view p3_iface,
              std::initializer_list<std::pair<const char*, const char*>> names);

// The payload type of the stream or future a host function returns (its first result, or
// that tuple's element `tuple_index`): what a channel for it carries.
component::VTypeP result_elem(const component::ComponentFunc& f, size_t tuple_index = 0);

// wasi:filesystem (define_filesystem.cpp).
void define_filesystem(component::ComponentLinker& l, p2::Host& h);
// wasi:http/types (define_http.cpp).
void define_http(component::ComponentLinker& l, p2::Host& h);
// wasi:sockets (define_sockets.cpp).
void define_sockets(component::ComponentLinker& l, p2::Host& h);

}  // namespace wsvm::wasi::p3
