#!/bin/sh
# Rewrites corpus captures (loopback, 127.0.0.1 both ends) into the built-in
# scenarios' addresses with real tools: tcprewrite (Debian package tcpreplay)
# maps the server port, tcpprep splits client from server by port, tcprewrite
# sets the endpoints, the Ethernet addresses a capture on the Azure VM shows
# (its NIC and the Azure host 12:34:56:78:9a:bc) and fixes the checksums;
# editcap (wireshark-common) moves the timestamps into the scenario's window.
# Run after `npm run scenarios:build` has written scenario.json.
set -eu
cd "$(dirname "$0")/../../.."
corpus=${NETPROOF_CORPUS:-/work/shared/corpus/generated}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# rewrite SCENARIO OUTPUT CORPUS_CASE ORIGINAL_PORT PORT CLIENT_IP SERVER_IP SERVER_NIC START_ISO
rewrite() {
  scenario=src/lab/scenarios/$1
  out=$scenario/$2
  mac=$(python3 -c "import json,sys; s=json.load(open('$scenario/scenario.json')); print(next(r['properties']['macAddress'] for r in s['resources'] if r['type']=='Microsoft.Network/networkInterfaces' and r['name']=='$8').replace('-',':').lower())")
  tcprewrite --portmap="$4:$5" --infile="$corpus/$3/$3.pcap" --outfile="$work/ported.pcap"
  # The server is whoever uses the scenario's port (a services file naming it, so 8443 counts too).
  printf 'scenario %s/tcp\nscenario %s/udp\n' "$5" "$5" > "$work/services"
  tcpprep --port --services="$work/services" --pcap="$work/ported.pcap" --cachefile="$work/ported.cache"
  tcprewrite --cachefile="$work/ported.cache" --endpoints="$6:$7" --enet-smac="12:34:56:78:9a:bc,$mac" --enet-dmac="$mac,12:34:56:78:9a:bc" --fixcsum --infile="$work/ported.pcap" --outfile="$work/rewritten.pcap"
  first=$(tshark -r "$work/rewritten.pcap" -c 1 -T fields -e frame.time_epoch 2>/dev/null)
  target=$(python3 -c "from datetime import datetime; print(datetime.fromisoformat('$9'.replace('Z', '+00:00')).timestamp())")
  shift=$(python3 -c "print(f'{$target - $first:.6f}')")
  mkdir -p "$(dirname "$out")"
  editcap -t "$shift" "$work/rewritten.pcap" "$out"
  echo "$out: $(capinfos -c -a "$out" | tail -2 | tr -s ' ' | tr '\n' ' ')"
}

rewrite app-rule-snat captures/vm-claimsapi01.pcap tls_ok 9443 443 10.20.1.6 10.22.2.4 nic-vm-claimsapi01 2026-11-27T09:41:07.318Z
rewrite tls-incomplete-chain captures/vm-web01.pcap tls_incomplete_chain 9446 443 172.21.10.5 10.41.1.4 nic-vm-web01 2026-11-27T09:12:41.207Z
rewrite nothing-listening captures/vm-sql01.pcap tcp_refused 9002 1433 10.61.2.5 10.62.1.4 nic-vm-sql01 2026-11-28T09:03:12.554Z
rewrite tcp-no-response captures/vm-app02.pcap tcp_syn_timeout 9003 8443 10.41.1.4 10.41.2.5 nic-vm-app02 2026-12-07T09:14:03.781Z
rewrite tls-self-signed captures/vm-web02.pcap tls_self_signed 9445 443 192.168.40.230 10.81.1.5 nic-vm-web02 2026-12-08T09:02:17.640Z
rewrite tls-expired captures/vm-app01.pcap tls_expired_cert 9449 8443 10.61.1.5 10.61.2.4 nic-vm-app01 2026-12-09T09:21:44.106Z
rewrite tls-hostname-mismatch captures/vm-web01.pcap tls_hostname_mismatch 9447 443 172.24.50.12 10.21.1.4 nic-vm-web01 2026-12-10T10:12:55.018Z
rewrite tls-protocol-mismatch captures/vm-web02.pcap tls_version_mismatch 9448 443 172.21.12.40 10.41.1.5 nic-vm-web02 2026-12-11T09:37:26.305Z
rewrite tls-client-cert-required captures/vm-app01.pcap tls_client_cert_required 9452 8443 10.81.1.4 10.81.2.4 nic-vm-app01 2026-12-12T08:47:09.512Z
rewrite path-ok captures/vm-web01.pcap tls_ok 9443 443 192.168.41.8 10.81.1.4 nic-vm-web01 2026-12-15T09:23:10.118Z
rewrite tcp-reset captures/vm-docs01.pcap tcp_reset_midstream 9004 8080 10.21.2.4 10.22.4.4 nic-vm-docs01 2026-12-16T08:58:31.402Z
