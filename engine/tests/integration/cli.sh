# engine/tests/integration/cli.sh: build/isolab's command line before any
# store is opened: --version and `version`, and the one line a typo gets,
# with a "did you mean" hint when a known word is close (common/suggest.h).
# Runs anywhere, as any user; creates no store.
WHERE="host"

need_isolab() {
	ISOLAB=$ISOLAB_BUILD/isolab
	[ -x "$ISOLAB" ] || fail "$ISOLAB missing: run make all"
	VERSION=$(sed -n 's/^#define ISOLAB_VERSION "\(.*\)"$/\1/p' "$ISOLAB_ROOT/common/version.h")
	[ -n "$VERSION" ] || fail "no ISOLAB_VERSION in common/version.h"
	# the store isolab would use: it must not appear
	export ISOLAB_ROOT=$TEST_TMP/store
}

# refused STATUS MESSAGE ARGS...: isolab ARGS exits STATUS with MESSAGE as
# its one line, and creates no store.
refused() {
	local status=$1 message=$2
	shift 2
	assert_status "$status" "$ISOLAB" "$@"
	assert_eq "$message" "$OUTPUT" "isolab $*"
	[ ! -e "$ISOLAB_ROOT" ] || fail "isolab $*: created a store"
}

test_version_is_one_line_with_0() {
	need_isolab
	local v
	for v in --version version; do
		assert_status 0 "$ISOLAB" "$v"
		assert_eq "isolab version $VERSION" "$OUTPUT" "isolab $v"
	done
	assert_status 0 "$ISOLAB" --help
	assert_contains "$OUTPUT" "  version " "the usage lists version"
	[ ! -e "$ISOLAB_ROOT" ] || fail "created a store"
}

test_typos_get_a_hint_and_status_2() {
	need_isolab
	refused 2 "isolab: unknown option \`--verison\` (did you mean \`--version\`?)" --verison
	refused 2 "isolab: unknown option \`--bogus\` (see isolab --help)" --bogus images
	refused 2 "isolab: option \`--root\` needs a value (see isolab --help)" --root
	refused 2 "isolab: unknown command \`imgaes\` (did you mean \`images\`?)" imgaes
	refused 2 "isolab: unknown command \`verison\` (did you mean \`version\`?)" verison
	refused 2 "isolab: unknown command \`fly\` (see isolab --help)" fly
	refused 2 "isolab: images: unknown option \`--quite\` (did you mean \`--quiet\`?)" images --quite
	refused 2 "isolab: images: option \`--quiet\` takes no value (see isolab images --help)" images --quiet=1
	refused 2 "isolab: rm: unknown option \`--froce\` (did you mean \`--force\`?)" rm --froce c1
	refused 2 "isolab: network: unknown command \`lss\` (did you mean \`ls\`?)" network lss
	refused 2 "isolab: network: unknown command \`frob\` (see isolab network --help)" network frob
	refused 2 "isolab: network create: unknown option \`--subnte\` (did you mean \`--subnet\`?)" \
		network create --subnte 10.0.0.0/24 n1
	# run keeps docker's 125 for everything that stops it before the container
	refused 125 "isolab: run: unknown option \`--rmm\` (did you mean \`--rm\`?)" run --rmm img
	refused 125 "isolab: run: unknown option \`--memroy\` (did you mean \`--memory\`?)" run --memroy 64M img
	refused 125 "isolab: run: unknown option \`-Z\` (see isolab run --help)" run -Z img
	refused 125 "isolab: run: option \`--name\` needs a value (see isolab run --help)" run --name
}
