# engine/tests/network-lib.sh: what the network tests and demo/claims.sh
# share about the host state CNI's plugins touch. Sourced.
# shellcheck shell=bash

# The chains the plugins add and share between networks (bridge, portmap,
# firewall); a run that did not find one removes it after.
CNI_SHARED_CHAINS="CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ CNI-FORWARD CNI-ADMIN"

# chains_snapshot FILE: the names of the iptables chains there are now.
chains_snapshot() { iptables-save | sed -n 's/^:\([^ ]*\) .*/\1/p' | sort -u >"$1"; }

# remove_chain CHAIN: the chain (and the jumps to it) gone from nat and filter.
remove_chain() {
	local table rule
	for table in nat filter; do
		iptables -t "$table" -S 2>/dev/null | grep -q -- "^-N $1\$" || continue
		# no jump left to it is fine (grep's status 1 under pipefail)
		{ iptables -t "$table" -S | grep -- "-j $1\( \|\$\)" || true; } | sed 's/^-A /-D /' |
			while read -r rule; do eval "iptables -t $table $rule" || true; done
		iptables -t "$table" -F "$1" || true
		iptables -t "$table" -X "$1" || true
	done
}

# chains_restore FILE: the shared chains that were not in FILE removed.
chains_restore() {
	local chain
	for chain in $CNI_SHARED_CHAINS; do
		grep -qx -- "$chain" "$1" 2>/dev/null && continue
		remove_chain "$chain"
	done
}

# free_port: a TCP port free on the host's loopback (none listens on it).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 20000))
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# cni_missing: prints what a container network needs and this host lacks;
# false when nothing is missing.
cni_missing() {
	local p
	for p in bridge host-local portmap firewall loopback; do
		[ -x "/usr/lib/cni/$p" ] || { echo "no /usr/lib/cni/$p (apt-get install containernetworking-plugins)"; return 0; }
	done
	command -v iptables-save >/dev/null || { echo "no iptables"; return 0; }
	return 1
}
