// Shared by the define_*.cpp files: the shape of a host function's lambda.
#pragma once

#include <span>

#include "wasi/p2/host.hpp"

// A host function acting on the Host (`this`), its arguments in `a`.
#define WASI_P2_FN [this]([[maybe_unused]] std::span<const ::wsvm::component::Val> a) -> ::wsvm::wasi::p2::AbiResult<::wsvm::wasi::p2::Vals>
#define WASI_P2_FN_UNUSED [](std::span<const ::wsvm::component::Val>) -> ::wsvm::wasi::p2::AbiResult<::wsvm::wasi::p2::Vals>
