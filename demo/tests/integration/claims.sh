# demo/tests/integration/claims.sh: every claim of the seeds holds when
# measured (demo/claims.sh), and the script refuses bad arguments.
WHERE="kvm"
TEST_TIMEOUT=900

test_every_claim_holds() {
	assert_status 0 demo/claims.sh
	assert_contains "$OUTPUT" "14 claims held, 0 did not" "claims summary"
	# Each claim printed a measurement, not just a verdict.
	[ "$(grep -c '^  measured: ' <<<"$OUTPUT")" -ge 7 ] || fail "fewer than 7 measurements: $OUTPUT"
}

test_only_selects_claims() {
	assert_status 0 demo/claims.sh --only 3
	assert_contains "$OUTPUT" "Claim 3:" "selected claim"
	assert_not_contains "$OUTPUT" "Claim 1:" "unselected claim"
	assert_contains "$OUTPUT" "1 claims held, 0 did not" "summary"
}

test_bad_argument_is_refused() {
	assert_status 2 demo/claims.sh --bogus
	assert_contains "$OUTPUT" "unknown argument \`--bogus\`" "error"
	[ "$(printf '%s\n' "$OUTPUT" | wc -l)" = 1 ] || fail "error is not one line: $OUTPUT"
}
