#!/usr/bin/env bash
# scripts/lint.sh: `make lint`. Static checks over the C sources given as
# arguments: cppcheck (warnings, portability, performance) and clang-tidy
# (bug-prone patterns), each only if installed. The compiler's
# -Wall -Wextra -Werror already runs on every build.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
if command -v cppcheck >/dev/null; then
	cppcheck --quiet --error-exitcode=1 --inline-suppr \
		--enable=warning,portability,performance \
		--suppress=missingIncludeSystem -I. -D_GNU_SOURCE "$@" || status=1
else
	echo "lint: cppcheck not installed, skipped" >&2
fi
if command -v clang-tidy >/dev/null; then
	clang-tidy --quiet --warnings-as-errors='*' \
		--checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-bugprone-branch-clone,-bugprone-implicit-widening-of-multiplication-result,cert-err34-c,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*' \
		"$@" -- -std=gnu11 -D_GNU_SOURCE -I. 2>/dev/null || status=1
else
	echo "lint: clang-tidy not installed, skipped" >&2
fi
[ $status = 0 ] && echo "lint: clean"
exit $status
