#!/bin/sh
# make_wrapper.sh WRAPPER EXE OUT: writes OUT, a script that runs EXE through WRAPPER (the
# cross file's exe_wrapper, qemu-user) with its arguments: what process tests run in a cross
# build (top meson.build).
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$1" "$2" >"$3" && chmod +x "$3"
