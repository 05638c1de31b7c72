#!/usr/bin/env bash
# Static checks of the stack's monitoring configuration with the host's promtool and amtool:
#   promtool check config (with the rule files it references), promtool check rules,
#   promtool test rules (unit tests of every alert), amtool check-config and the severity routing.
# Usage: compose/prometheus/check.sh      (exit 0 when everything passes)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
am_config="$here/../alertmanager/alertmanager.yml"
say() { printf '\n== %s\n' "$*"; }

for tool in promtool amtool; do
  command -v "$tool" >/dev/null 2>&1 || { echo "check.sh: $tool is missing (apt-get install prometheus prometheus-alertmanager)" >&2; exit 2; }
done

# The config names its rules by their path inside the image; check it against this checkout's rules instead.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#/etc/prometheus/rules/#$here/rules/#" "$here/prometheus.yml" >"$tmp/prometheus.yml"
grep -q "$here/rules/" "$tmp/prometheus.yml" || { echo "check.sh: prometheus.yml does not load /etc/prometheus/rules/" >&2; exit 1; }

say "promtool check config"
promtool check config "$tmp/prometheus.yml"

say "promtool check rules"
promtool check rules "$here"/rules/*.yml

say "promtool test rules"
(cd "$here/tests" && promtool test rules ./*.test.yml)

say "every alert has a firing and a not-firing unit test"
# Each `alertname: X` line of a test is followed by `exp_alerts: []` (not firing) or `exp_alerts:` + items.
cases=$(awk '/alertname:/ { name = $2; next } name != "" && /exp_alerts:/ { print name, ($2 == "[]" ? "quiet" : "fires"); name = "" }' "$here"/tests/*.test.yml)
missing=0
while read -r alert; do
  for kind in fires quiet; do
    grep -qx "$alert $kind" <<<"$cases" || { echo "no promtool test where $alert $kind" >&2; missing=1; }
  done
done < <(sed -n 's/^ *- alert: *//p' "$here"/rules/*.yml)
[ "$missing" -eq 0 ] || exit 1
echo "  SUCCESS: $(sed -n 's/^ *- alert: *//p' "$here"/rules/*.yml | wc -l) alerts, each tested firing and not firing ($(wc -l <<<"$cases") cases)"

say "amtool check-config"
amtool check-config "$am_config"

say "alert routing: critical pages on-call, warning goes to the team"
route_of() { amtool config routes test --config.file="$am_config" "$@" | tr -d '[:space:]'; }
[ "$(route_of severity=critical service=api)" = oncall-webhook ] || { echo "critical alerts do not reach oncall-webhook" >&2; exit 1; }
[ "$(route_of severity=warning service=api)" = team-webhook ] || { echo "warning alerts do not reach team-webhook" >&2; exit 1; }
echo "  SUCCESS: routing as documented"
