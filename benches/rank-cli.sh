#!/usr/bin/env bash
# Times the whole `revdesk rank` command on 300 nominations and 30 signed sheets: a generated
# batch, 30 experts' paper sheets with per-expert leniency, entered and signed, then ranked.
# Usage: cargo build --release && benches/rank-cli.sh [WORKDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$root/target/release/revdesk}
work=${1:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
rm -rf stores sheets papers batch.json
"$bin" gen -o batch.json --items 300 --detail-chars 2000 --seed 3 >/dev/null
mkdir -p papers sheets stores
python3 - <<'PY'
import json, random
b = json.load(open('batch.json'))
ids = [it['id'] for it in b['items']]
random.seed(7)
quality = {i: random.uniform(3, 9) for i in ids}
for e in range(30):
    lenient = random.uniform(-1.5, 1.5)
    with open(f'papers/e{e:02}.csv', 'w') as f:
        f.write('编号,可行性,先进性,原创性,不可替代性,技术成熟度,市场前景\n')
        for i in ids:
            if random.random() < 0.2:
                continue
            s = [max(0, min(10, round(quality[i] + lenient + random.uniform(-2, 2)))) for _ in range(6)]
            f.write(i + ',' + ','.join(map(str, s)) + '\n')
PY
for e in $(seq -w 0 29); do
  "$bin" enter batch.json --expert "e$e" --from "papers/e$e.csv" --store "stores/e$e" >/dev/null
  "$bin" sheet batch.json --expert "e$e" --store "stores/e$e" -o "sheets/e$e.json" >/dev/null
done
for m in trimmed calibrated; do
  start=$(date +%s.%N)
  "$bin" rank batch.json sheets --method "$m" --format csv >"rank-$m.csv"
  end=$(date +%s.%N)
  echo "rank --method $m (B = 2000): $(echo "$end - $start" | bc) s"
done
start=$(date +%s.%N)
"$bin" export batch.json sheets --format xlsx -o out.xlsx --overwrite --force >/dev/null
end=$(date +%s.%N)
echo "export --format xlsx: $(echo "$end - $start" | bc) s"
