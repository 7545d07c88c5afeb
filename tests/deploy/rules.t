#!/usr/bin/env bash
# tests/deploy/rules.t — deploy/prometheus/pausewatch-rules.yml: `promtool
# check rules`, its unit tests (`promtool test rules`: every alert firing
# with exact labels and annotations, and not firing), every metric it reads
# is a family of docs/metrics.md, and the checks can fail.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

command -v promtool >/dev/null || bail "promtool missing (scripts/deps.sh deploy: prometheus)"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || bail "python3-yaml missing (scripts/deps.sh deploy)"
P=$ROOT/deploy/prometheus
LIB=$ROOT/tests/deploy/deploylib.py
T=$(mktemp -d)
# shellcheck disable=SC2016  # expanded when the shell exits
on_exit 'rm -rf "$T"'

out=$(promtool check rules "$P/pausewatch-rules.yml" 2>&1)
is "$?" 0 "promtool check rules"
like "$out" "SUCCESS: 7 rules found" "  7 rules"
out=$(cd "$P" && promtool test rules pausewatch-rules.test.yml 2>&1)
rc=$?
is "$rc" 0 "promtool test rules pausewatch-rules.test.yml"
[ "$rc" -eq 0 ] || diag "$(head -30 <<<"$out")"

# Every alert has a test where it fires and one where it does not.
alerts=$(/usr/bin/python3 "$LIB" rules "$P/pausewatch-rules.yml" | jq -r .where | sort)
is "$(tr '\n' ' ' <<<"$alerts")" "PausewatchDropping PausewatchForksRefused PausewatchInitIgnoredSIGTERM PausewatchInitWithoutSIGTERMHandler PausewatchOldZombie PausewatchPidPressure PausewatchZombiesAccumulating " \
	"the alerts: zombies accumulating, old zombie, PID pressure, forks refused, SIGTERM ignored by an init, init without a SIGTERM handler, drops"
for a in $alerts; do
	cases=$(/usr/bin/python3 -c 'import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
c = [x for g in t["tests"] for x in g.get("alert_rule_test", []) if x["alertname"] == sys.argv[2]]
print(sum(1 for x in c if x.get("exp_alerts")), sum(1 for x in c if not x.get("exp_alerts")))' "$P/pausewatch-rules.test.yml" "$a")
	read -r firing quiet <<<"$cases"
	[ "$firing" -ge 1 ] && [ "$quiet" -ge 1 ]
	ok $? "$a: tested firing ($firing) and not firing ($quiet)"
done

# Only documented families.
/usr/bin/python3 "$LIB" families "$ROOT/docs/metrics.md" >"$T/families"
unknown=$(/usr/bin/python3 "$LIB" rules "$P/pausewatch-rules.yml" | jq -c .expr | /usr/bin/python3 "$LIB" names | jq -r '.[]' | sort -u |
	while read -r n; do /usr/bin/python3 "$LIB" family-of "$ROOT/docs/metrics.md" "$n" >/dev/null || echo "$n"; done)
is "$unknown" "" "every metric the rules read is a family of docs/metrics.md"
is "$(echo '"rate(pausewatch_zombie_total[5m]) > 0"' | /usr/bin/python3 "$LIB" names | jq -r '.[]' |
	while read -r n; do /usr/bin/python3 "$LIB" family-of "$ROOT/docs/metrics.md" "$n" >/dev/null || echo "$n"; done)" \
	pausewatch_zombie_total "(a misspelt family is caught)"

# The unit tests can fail: a rule with another threshold breaks them.
cp "$P/pausewatch-rules.yml" "$P/pausewatch-rules.test.yml" "$T/"
sed -i 's/pausewatch_oldest_zombie_age_seconds > 600/pausewatch_oldest_zombie_age_seconds > 6000/' "$T/pausewatch-rules.yml"
(cd "$T" && promtool test rules pausewatch-rules.test.yml >/dev/null 2>&1)
is "$?" 1 "(promtool test rules fails when a threshold changes)"
printf 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(\n' >"$T/bad.yml"
promtool check rules "$T/bad.yml" >/dev/null 2>&1
is "$?" 1 "(promtool check rules fails on a broken expression)"

done_testing
