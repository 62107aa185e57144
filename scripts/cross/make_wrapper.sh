#!/bin/sh
# make_wrapper.sh WRAPPER EXE OUT: writes OUT, a script that runs EXE through WRAPPER (the
# cross file's exe_wrapper, qemu-user) with its arguments: what process tests run in a cross
# build (top meson.build). WSVM_EXE_WRAPPER tells wsvm to start its companion program
# (wsvm-net, for serve/pull/push) through the same wrapper (cli/companion.hpp).
printf '#!/bin/sh\nWSVM_EXE_WRAPPER=${WSVM_EXE_WRAPPER-%s} exec %s "%s" "$@"\n' "$1" "$1" "$2" >"$3" && chmod +x "$3"
