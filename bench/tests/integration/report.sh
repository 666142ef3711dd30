# bench/tests/integration/report.sh: drawing reports from committed results
# files, nothing measured: `isolab-bench merge` puts a lab run and a run
# on a host without KVM side by side (headings, each host's own ratios and
# no other, the pictures as PNG and SVG, bad files refused), and
# `isolab-bench report --style slides` draws on the slides' canvas.
WHERE="host"
TEST_TIMEOUT=300

need_tools() {
	command -v gnuplot >/dev/null || skip "gnuplot is not installed"
	command -v python3 >/dev/null || skip "python3 is not installed"
	[ -x "$ISOLAB_BUILD/isolab-bench" ] || fail "build/isolab-bench missing (make all)"
}

# one committed results file of environment ENV (the first by name)
committed() {
	local f
	f=$(ls results/"$1"/*.json 2>/dev/null | head -n 1)
	[ -n "$f" ] || fail "no committed results file under results/$1"
	echo "$f"
}

# png_size FILE: "WIDTHxHEIGHT" from the PNG header (IHDR: bytes 16-23, big-endian)
png_size() {
	python3 - "$1" <<'PY'
import struct, sys
head = open(sys.argv[1], "rb").read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
print("%dx%d" % struct.unpack(">II", head[16:24]))
PY
}

# own_ratio FILE NAME: the start-up ratio NAME (first line) of FILE as the report writes it
own_ratio() {
	jq -r --arg n "$2" '.suites.startup.ratios[] | select(.name == $n) | .first_line' "$1" |
		awk '{ printf "%.*fx\n", ($1 < 0.1 ? 3 : $1 < 10 ? 2 : 1), $1 }'
}

test_merge_puts_hosts_side_by_side_with_their_own_ratios_only() {
	need_tools
	local lab host out=$TEST_TMP/m/MERGED.md plots=$TEST_TMP/m/plots-merged md name
	lab=$(committed lab)
	host=$(committed host-nokvm)
	assert_status 0 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab" "$host"
	assert_contains "$OUTPUT" "isolab-bench: merged report $out, plots in $plots" "merge's last line"
	md=$(cat "$out")
	assert_contains "$md" "# isolab benchmark report: 2 results side by side" "title"
	assert_contains "$md" "Merged by \`isolab-bench merge\` from \`$lab\` and \`$host\`" "sources"
	assert_contains "$md" "**No ratio across hosts:** every ratio below was taken within one results file" \
		"the no-cross-host sentence"
	for heading in "## Hosts" "## Start-up" "## Memory" "## System calls and operations"; do
		assert_contains "$md" "$heading" "heading $heading"
	done
	assert_not_contains "$md" "## Build" "a suite neither file has"
	assert_contains "$md" "|  | lab | host-nokvm |" "one column per host"
	assert_contains "$md" "| environment | the lab (KVM nested in QEMU TCG) | a host without KVM |" "environments"
	assert_contains "$md" "| git commit (tree) | $(jq -r '.environment | "\(.git_commit[:12]) (\(.git_tree))"' "$lab") | $(jq -r '.environment | "\(.git_commit[:12]) (\(.git_tree))"' "$host") |" "commits"
	assert_contains "$md" "| system | lab: first line | lab: exit | host-nokvm: first line | host-nokvm: exit |" \
		"start-up columns"
	printf '%s\n' "$md" | grep -Eq '^\| isolab-vmm \| [0-9.]+ (s|ms) \| [0-9.]+ (s|ms) \| unavailable \| unavailable \|$' ||
		fail "a system one host lacks: $(printf '%s\n' "$md" | grep '^| isolab-vmm ')"
	assert_contains "$md" "- host-nokvm: not measured: crun (trial run failed); isolab-vmm, qemu-microvm (no usable /dev/kvm here)" \
		"why a host lacks it"
	assert_contains "$md" "| isolab-ctr/runc | $(own_ratio "$lab" isolab-ctr/runc) | $(own_ratio "$host" isolab-ctr/runc) |" \
		"each host's own start-up ratio"
	assert_contains "$md" "| isolab-vmm/qemu-microvm | $(own_ratio "$lab" isolab-vmm/qemu-microvm) | not measured |" \
		"a ratio one host lacks"
	# every ratio in the report is one of a file's own (start-up and syscall ratios), none
	# a figure of one host over one of the other
	python3 - "$out" "$lab" "$host" <<'PY' || fail "a ratio in MERGED.md that no file has"
import json, re, sys
def fmt(r):
    return "%.*fx" % (3 if r < 0.1 else 2 if r < 10 else 1, r)
own = set()
for path in sys.argv[2:]:
    suites = json.load(open(path))["suites"]
    for r in suites.get("startup", {}).get("ratios", []):
        own.update(fmt(r[k]) for k in ("first_line", "exit") if r.get(k))
    own.update(fmt(r["ratio"]) for r in suites.get("syscall", {}).get("ratios", []))
found = re.findall(r"(?<![\w.])(\d+\.\d+x)", open(sys.argv[1]).read())
stray = sorted(set(found) - own)
assert found and not stray, "ratios no file has: %s" % stray
PY
	# the pictures, PNG and SVG
	for name in merge_startup merge_memory merge_build merge_lifecycle; do
		[ "$(png_size "$plots/$name.png")" = "960x560" ] || fail "$name.png: not a 960x560 PNG"
		grep -q "<svg" "$plots/$name.svg" || fail "$name.svg: not an SVG"
	done
	assert_contains "$md" "![start-up per system and host](plots-merged/merge_startup.png)" "image link"
	assert_contains "$(cat "$plots/merge_startup.gp")" 'set label "not measured" at first' \
		"a mark where a host has no bar"
	assert_contains "$(cat "$plots/merge_startup.gp")" \
		'host-nokvm: not measured: crun (trial run failed); isolab-vmm, qemu-microvm (no usable /dev/kvm here)' \
		"the line under the picture"
}

test_merge_refuses_bad_input_with_one_line() {
	need_tools
	local lab host out=$TEST_TMP/M.md
	lab=$(committed lab)
	host=$(committed host-nokvm)
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab"
	assert_eq "isolab-bench: merge: at least two results files to put side by side (got 1)" "$OUTPUT" "one file"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab" "$host" "$lab"
	assert_eq "isolab-bench: merge: \`$lab\` is named twice" "$OUTPUT" "a path twice"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab" "./$lab"
	assert_eq "isolab-bench: merge: \`$lab\` and \`./$lab\` are the same file" "$OUTPUT" "one file, two paths"
	echo '{"hello": 1}' >"$TEST_TMP/other.json"
	assert_status 1 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab" "$TEST_TMP/other.json"
	assert_eq "isolab-bench: merge: \`$TEST_TMP/other.json\`: not an isolab-bench results file (no \`format\`)" \
		"$OUTPUT" "not results"
	jq '.format = "isolab-bench/2"' "$host" >"$TEST_TMP/v2.json"
	assert_status 1 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab" "$TEST_TMP/v2.json"
	assert_eq "isolab-bench: merge: \`$TEST_TMP/v2.json\`: format \`isolab-bench/2\`, not \`isolab-bench/1\`" \
		"$OUTPUT" "another format version"
	assert_status 1 "$ISOLAB_BUILD/isolab-bench" merge --out "$out" "$lab" "$TEST_TMP/missing.json"
	assert_eq "isolab-bench: merge: read \`$TEST_TMP/missing.json\`: No such file or directory" "$OUTPUT" \
		"an unreadable file"
	assert_status 2 "$ISOLAB_BUILD/isolab-bench" merge --style poster "$lab" "$host"
	assert_eq "isolab-bench: --style \`poster\`: paper or slides" "$OUTPUT" "a style that does not exist"
	[ ! -e "$out" ] || fail "a refused merge wrote $out"
	[ ! -e "$TEST_TMP/plots-merged" ] || fail "a refused merge drew plots"
}

test_report_and_merge_slides_draw_on_the_slides_canvas() {
	need_tools
	local lab host
	lab=$(committed lab)
	host=$(committed host-nokvm)
	assert_status 0 "$ISOLAB_BUILD/isolab-bench" report "$lab" --style slides --out "$TEST_TMP/s/REPORT.md"
	[ "$(png_size "$TEST_TMP/s/plots/startup.png")" = "1600x900" ] ||
		fail "slides startup.png is $(png_size "$TEST_TMP/s/plots/startup.png"), not 1600x900"
	assert_contains "$(head -n 3 "$TEST_TMP/s/plots/startup.gp")" "font ',22' linewidth 3" "large type, thick lines"
	grep -q 'viewBox="0 0 1600 900"' "$TEST_TMP/s/plots/startup.svg" || fail "slides startup.svg canvas"
	# the default is paper
	assert_status 0 "$ISOLAB_BUILD/isolab-bench" report "$lab" --out "$TEST_TMP/p/REPORT.md"
	[ "$(png_size "$TEST_TMP/p/plots/startup.png")" = "960x560" ] || fail "paper startup.png size"
	assert_status 0 "$ISOLAB_BUILD/isolab-bench" merge --style slides --out "$TEST_TMP/m/MERGED.md" "$lab" "$host"
	[ "$(png_size "$TEST_TMP/m/plots-merged/merge_startup.png")" = "1600x900" ] || fail "slides merge_startup.png size"
}
