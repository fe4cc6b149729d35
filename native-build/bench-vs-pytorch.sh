#!/usr/bin/env bash
# vavl4j against its PyTorch peer (shared/oracle/peer_bench.py) in one run, one after the other, with ratios.
#
#   bash native-build/bench-vs-pytorch.sh cpu  [VAVL4J BENCH ARGS...]
#   bash native-build/bench-vs-pytorch.sh cuda [VAVL4J BENCH ARGS...]
#
# cpu   B 4, Ta 150, Tv 90, 5 timed runs. In this order, never two at once (they would share the cores):
#       1. the machine's float32 GEMM rate, with the peer's python: torch.mm at 2048x2048 @ 2048x2048 and
#          1200x2048 @ 2048x512, torch.set_num_threads(nproc), best of 10 each; the faster is the floor rate;
#       2. ./vavl bench --device cpu;  3. the peer, --threads $(nproc).
#       "of GEMM floor" = floor_ms / median_ms, floor_ms = gemm_gflop / floor rate (vavl4j's gemm_gflop, the
#       model's matrix-product FLOPs, for both sides: same model, same shapes). Target: vavl4j utt/s >= 1.25x.
# cuda  B 32, Ta 150, Tv 90, 20 timed runs. vavl4j float32 and --tf32; the peer in float32, --tf32, bf16
#       autocast eager (--amp bf16) and bf16 autocast + torch.compile (--amp bf16 --compile; when that fails,
#       e.g. no C compiler on the machine, it is reported and skipped). MFU = gemm_gflop / median_s / peak.
#       Targets: vavl4j train_step utt/s >= 2x the bf16 eager peer's and >= 1.3x the compiled one's, train_step
#       peak memory <= 0.7x theirs. "vavl4j" there is its fastest train_step variant (the table says which).
# Arguments after the mode go to every vavl4j bench run (e.g. a future --bf16); not to the peer.
#
# Environment:
#   BATCH TA TV ITERS  shape and timed runs (defaults above);  WARMUP  untimed runs, both sides (default: theirs)
#   PYTHON       the peer's python. Default: the first of $PYTHON, /opt/torch/.venv/bin/python3, python3 on PATH,
#                /usr/bin/python3 that can `import torch` (on CPU the peer wants Debian's python3-torch and
#                libopenblas0-pthread, served by /usr/bin/python3). It also parses the JSON and prints the table.
#   PEER         the peer script (default ../shared/oracle/peer_bench.py, from the repo root);  PEER_ARGS  extra
#                arguments for every peer run (e.g. "--sdpa off")
#   VAVL         the command that runs vavl4j's CLI, run from the repo root (default ./vavl). Where no JDK is to be found (GPU machine)
#                and device-carry/ (VAVL_CARRY) holds jdk.tar.xz and vavl4j-cli.jar (native-build/
#                prepare-device-carry.sh), the carried JDK runs the carried jar, as native-build/gpu-check.sh does.
#   OUT_DIR      where the logs go (default target/bench-vs-pytorch): <mode>-<date>.jsonl gets every JSON line as
#                printed, plus "meta" lines (machine, each command and its exit status); <mode>-<date>.log stderr.
#   PEAK_TFLOPS  GPU peaks for MFU in TFLOP/s, "fp32,tf32,bf16", or one number for all three. Default "67,495,989":
#                H100 SXM, dense (no sparsity); the H200 has the same. H100 PCIe: "51,378,756". Each MFU cell
#                names the peak it is against: bf16 rows against bf16, TF32 rows against tf32, others fp32.
# Exit status: 0 when every required run produced its measurements (targets missed do not fail it), 1 when one
# failed (the table then says which part is missing), 2 on a setup error.
# (For checking the table code: `--table-only FILE.jsonl` prints the table of an earlier log, runs nothing.)
set -uo pipefail
start=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
me=bench-vs-pytorch

usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "$me: $*" >&2; exit 2; }
abs() { if [[ $1 == /* ]]; then echo "$1"; else echo "$start/$1"; fi; }  # a path given relative to the caller's cwd

# has_torch PY [cuda]: PY can import torch (and, with cuda, its torch sees a GPU)
has_torch() {
  [[ -n $1 ]] && command -v "$1" >/dev/null 2>&1 &&
    "$1" -c 'import sys, torch; sys.exit(len(sys.argv) > 1 and not torch.cuda.is_available())' ${2:+"$2"} >/dev/null 2>&1
}
# pick_python [cuda]: the first candidate with torch; in cuda mode the first whose torch sees a GPU, if any
pick_python() {
  local p want
  for want in ${1:+"$1"} ""; do
    for p in "${PYTHON:-}" /opt/torch/.venv/bin/python3 "$(command -v python3 2>/dev/null)" /usr/bin/python3; do
      if has_torch "$p" "$want"; then echo "$p"; return 0; fi
    done
  done
  return 1
}

# ------------------------------------------------------------------------------------------- the table
# The whole report is a function of the .jsonl log alone (so --table-only reproduces it). Exits 1 when a
# required run failed or a side has no measurement.
table() {
  "$1" - "$2" <<'PYEOF'
import json, os, sys

path = sys.argv[1]
CPU_TARGET, EAGER_TARGET, COMPILED_TARGET, MEM_TARGET = 1.25, 2.0, 1.3, 0.7
ORDER = {"train_step": 0, "infer": 1}

machine, floor, runs, loose, bad = {}, None, [], [], 0
with open(path) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        try:
            r = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if r.get("meta") == "machine":
            machine = r
        elif r.get("meta") == "run":
            runs.append(dict(r, rows=[]))
        elif r.get("impl") == "sgemm":
            floor = r
            if runs:
                runs[-1]["rows"].append(r)
        elif "what" in r and "median_ms" in r:
            (runs[-1]["rows"] if runs else loose).append(r)
if loose:  # a log without meta lines: one pseudo-run per line
    runs.append(dict(meta="run", label="(no meta)", side="?", cmd="", rc="0", optional="0", rows=loose))

def prec(r):
    p = str(r.get("precision", r.get("dtype", ""))).lower()
    if r.get("amp") == "bf16" or r.get("bf16") is True or p in ("bf16", "bfloat16"):
        return "bf16"
    return "tf32" if r.get("tf32") else "fp32"

def variant(r, run):
    v = r.get("impl", "?")
    if r.get("device") == "cuda" or prec(r) != "fp32":
        v += " " + prec(r)
        if r.get("compile"):
            v += " compiled"
        elif v.startswith("pytorch") and prec(r) == "bf16":
            v += " eager"
    elif r.get("compile"):
        v += " compiled"
    if run.get("extra"):
        v += " [" + run["extra"] + "]"
    return v

def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None

rows, failed, skipped = [], [], []
for run in runs:
    meas = [r for r in run["rows"] if r.get("impl") != "sgemm"]
    rc, ok_rows = int(run.get("rc", "0") or 0), meas or any(r.get("impl") == "sgemm" for r in run["rows"])
    if rc != 0 or not ok_rows:
        why = f"exit status {rc}" if rc != 0 else "no measurement printed"
        (skipped if run.get("optional") == "1" else failed).append((run.get("label", "?"), why, run.get("stderr_tail", "")))
    for r in meas:
        if "--bf16" in run.get("extra", "").split() and "bf16" not in r:
            r["bf16"] = True  # vavl4j asked for bf16 but its JSON does not say so
        rows.append((variant(r, run), r))
rows.sort(key=lambda lr: ORDER.get(lr[1]["what"], 9))  # stable: file order within one `what`

mode = machine.get("mode") or ("cuda" if any(r.get("device") == "cuda" for _, r in rows) else "cpu")
cuda = mode == "cuda"
raw_peaks = os.environ.get("PEAK_TFLOPS", "").strip() or "67,495,989"
try:
    pk = [float(x) for x in raw_peaks.split(",") if x.strip()]
    pk = pk * 3 if len(pk) == 1 else pk
    assert len(pk) == 3 and all(p > 0 for p in pk)
except (ValueError, AssertionError):
    sys.exit(f"PEAK_TFLOPS: expected one number or fp32,tf32,bf16 in TFLOP/s, got {raw_peaks!r}")
peaks = dict(zip(("fp32", "tf32", "bf16"), pk))

# ---- header: machine, date, commands
print()
print(f"== vavl4j vs PyTorch, {mode}, {machine.get('date', '?')}")
cpu_line = f"cpu: {machine.get('cpu', '?')}, nproc {machine.get('nproc', '?')}"
if machine.get("blas_env"):
    cpu_line += f" ({machine['blas_env']})"
print(cpu_line)
if machine.get("gpu"):
    print(f"gpu: {machine['gpu']}")
gemms = sorted({r["gemm"] for _, r in rows if r.get("impl") == "vavl4j" and r.get("gemm")})
if gemms:
    print(f"vavl4j cpu gemm: {'; '.join(gemms)}")
torch_v = machine.get("torch") or ", ".join(sorted({r["torch"] for _, r in rows if r.get("torch")})) or "?"
print(f"peer: {machine.get('peer', '?')} with {machine.get('python', '?')} (torch {torch_v})")
shapes = sorted({(r.get("batch"), r.get("Ta"), r.get("Tv")) for _, r in rows}, key=str)
if len(shapes) == 1:
    print("shape: B %s, Ta %s, Tv %s" % shapes[0])
elif shapes:
    print("WARNING: the rows differ in shape (B, Ta, Tv): %s; ratios compare unlike things" % shapes)
print("commands, in the order run:")
busy, BUSY = [], 0.25  # cores that other processes took during a CPU run: beyond this, its numbers are suspect
for run in runs:
    state = "ok" if int(run.get("rc", "0") or 0) == 0 else "exit %s" % run.get("rc")
    others = num(run.get("others_cores"))
    print(f"  [{state}] {run.get('cmd', '')}  ({run.get('seconds', '?')} s"
          + (f"; other processes: {others:.2f} cores)" if others is not None else ")"))
    if others is not None and others >= BUSY and run.get("side") in ("floor", "vavl4j", "pytorch") and not cuda:
        busy.append(f"{run.get('label')} ({others:.2f} cores)")
if bad:
    print(f"({bad} line(s) of {path} were not JSON)")
if busy:
    print(f"WARNING: other processes took CPU time during {', '.join(busy)} of {machine.get('nproc', '?')} cores: "
          "those numbers are low; rerun on a quiet machine")

floor_rate = num(floor.get("gflop_per_s")) if floor else None
if floor:
    shp = ", ".join(f"{s['m']}x{s['k']} @ {s['k']}x{s['n']}: {s['gflop_per_s']:.1f}" for s in floor.get("shapes", []))
    print(f"sgemm floor ({floor.get('threads')} threads, {floor.get('blas', '?')}): {shp} GFLOP/s -> floor rate "
          f"{floor_rate:.1f} GFLOP/s")

# ---- the table
vav = {}  # what -> vavl4j row with the highest utt/s: the reference of the ratio column
gemm = {}  # what -> vavl4j's gemm_gflop
for label, r in rows:
    if r.get("impl") == "vavl4j":
        w = r["what"]
        if w not in vav or r["utt_per_s"] > vav[w][1]["utt_per_s"]:
            vav[w] = (label, r)
        if num(r.get("gemm_gflop")) and w not in gemm:
            gemm[w] = num(r["gemm_gflop"])

def ratio_cell(label, r):
    ref = vav.get(r["what"])
    if not ref or not r.get("utt_per_s"):
        return "-"
    if ref[1] is r:
        return "(ref)"
    x = ref[1]["utt_per_s"] / r["utt_per_s"]
    cell = f"{x:.2f}x"
    if not cuda and r.get("impl") == "pytorch":
        cell += " PASS" if x >= CPU_TARGET else " MISS"
    return cell

hdr = ["variant", "what", "median ms", "utt/s", "vavl4j/this", "GEMM TFLOP/s" if cuda else "GEMM GFLOP/s"]
hdr += ["MFU", "peak MiB"] if cuda else ["of GEMM floor"]
table = []
for label, r in rows:
    med, g = num(r.get("median_ms")), gemm.get(r["what"])
    rate = g / (med / 1e3) if g and med else None
    utt = num(r.get("utt_per_s")) or 0
    cells = [label, r["what"], f"{med:.1f}" if med else "-", f"{utt:.1f}" if utt >= 100 else f"{utt:.3f}",
             ratio_cell(label, r), (f"{rate / 1e3:.2f}" if cuda else f"{rate:.1f}") if rate else "-"]
    if cuda:
        p = prec(r)
        cells.append(f"{100 * rate / (peaks[p] * 1e3):.1f}% of {p} {peaks[p]:g}" if rate else "-")
        mem = num(r.get("peak_mem_mb"))
        cells.append(f"{mem:.0f}" if mem is not None else "-")
    else:
        cells.append(f"{(g / floor_rate * 1e3) / med:.2f}" if g and med and floor_rate else "-")
    table.append(cells)
missing = [s for s in ("vavl4j", "pytorch") if not any(r.get("impl") == s for _, r in rows)]
if failed or missing:
    print("\n!! INCOMPLETE: " + "; ".join([f"{label} failed" for label, _, _ in failed] + [f"no {s} row" for s in missing])
          + " (details at the end)")
print()
if table:
    widths = [max(len(h), *(len(c[i]) for c in table)) for i, h in enumerate(hdr)]
    fmt = lambda cs: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cs, widths)))
    print(fmt(hdr))
    print("  ".join("-" * w for w in widths))
    prev = None
    for label_r, cells in zip(rows, table):
        if prev is not None and label_r[1]["what"] != prev:
            print()
        prev = label_r[1]["what"]
        print(fmt(cells))
else:
    print("(no measurements)")
refs = ", ".join(f"{w}: {lr[0]}" for w, lr in vav.items())
print()
print(f"vavl4j/this = utt/s of the fastest vavl4j variant ({refs or 'none'}) / this row's. GEMM {'T' if cuda else 'G'}FLOP/s = "
      "vavl4j's gemm_gflop (the model's matrix-product FLOPs, used for every row) / median.")
if cuda:
    print(f"MFU = that rate / the GPU peak (PEAK_TFLOPS fp32,tf32,bf16 = {raw_peaks}).")
else:
    print(f"of GEMM floor = (gemm_gflop / sgemm floor rate) / median: 1.00 would be every FLOP at the machine's best "
          f"sgemm rate. PASS/MISS: target vavl4j >= {CPU_TARGET}x PyTorch.")

# ---- targets
def find(pred, what="train_step"):
    for label, r in rows:
        if r["what"] == what and pred(r):
            return label, r
    return None

print()
print("targets:")
if cuda:
    ref = vav.get("train_step")
    eager = find(lambda r: r.get("impl") == "pytorch" and prec(r) == "bf16" and not r.get("compile"))
    comp = find(lambda r: r.get("impl") == "pytorch" and prec(r) == "bf16" and r.get("compile"))
    for name, other, t in (("bf16 eager", eager, EAGER_TARGET), ("bf16 compiled", comp, COMPILED_TARGET)):
        if not ref or not other:
            print(f"  train_step utt/s vs PyTorch {name}: n/a ({'no vavl4j' if not ref else 'no PyTorch ' + name} train_step row)")
            continue
        x = ref[1]["utt_per_s"] / other[1]["utt_per_s"]
        print(f"  train_step utt/s, {ref[0]} vs PyTorch {name}: {x:.2f}x (target >= {t}x) {'PASS' if x >= t else 'MISS'}")
    for name, other in (("bf16 eager", eager), ("bf16 compiled", comp)):
        a = num(ref[1].get("peak_mem_mb")) if ref else None
        b = num(other[1].get("peak_mem_mb")) if other else None
        if not a or not b:
            print(f"  train_step peak memory vs PyTorch {name}: n/a")
            continue
        x = a / b
        print(f"  train_step peak memory, {ref[0]} {a:.0f} MiB vs PyTorch {name} {b:.0f} MiB: {x:.2f}x "
              f"(target <= {MEM_TARGET}x) {'PASS' if x <= MEM_TARGET else 'MISS'}")
else:
    for w in ("train_step", "infer"):
        ref, peer = vav.get(w), find(lambda r: r.get("impl") == "pytorch", w)
        if not ref or not peer:
            print(f"  {w} utt/s vs PyTorch: n/a ({'no vavl4j' if not ref else 'no PyTorch'} {w} row)")
            continue
        x = ref[1]["utt_per_s"] / peer[1]["utt_per_s"]
        print(f"  {w} utt/s, vavl4j vs PyTorch: {x:.2f}x (target >= {CPU_TARGET}x) {'PASS' if x >= CPU_TARGET else 'MISS'}")

for label, why, tail in skipped:
    print(f"\nskipped: {label} failed ({why}), carried on without it" + (f": {tail}" if tail else ""))
if failed or missing:
    print("\nINCOMPLETE: the table above lacks what these left out:")
    for label, why, tail in failed:
        print(f"  FAILED: {label} ({why})" + (f": {tail}" if tail else ""))
    for s in missing:
        print(f"  no {s} measurement at all")
    sys.exit(1)
PYEOF
}

if [[ ${1:-} == --table-only ]]; then
  f=$(abs "${2:-}")
  [[ -f $f ]] || die "--table-only needs an existing .jsonl file (got '${2:-}')"
  py=$(pick_python) || py=$(command -v python3) || die "no python3"
  table "$py" "$f"
  exit
fi

# ------------------------------------------------------------------------------------------- setup
mode=${1:-}
case $mode in
  cpu | cuda) shift ;;
  -h | --help) usage; exit 0 ;;
  *) usage | sed -n '3,4p' >&2; die "expected the mode, cpu or cuda, first (got '${mode}'; --help for more)" ;;
esac
extra=("$@")
nproc=$(nproc)
batch=${BATCH:-$([[ $mode == cuda ]] && echo 32 || echo 4)}
ta=${TA:-150}
tv=${TV:-90}
iters=${ITERS:-$([[ $mode == cuda ]] && echo 20 || echo 5)}
for v in batch ta tv iters; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "${v^^} must be a positive integer (got '${!v}')"; done
warm=()
if [[ -n ${WARMUP:-} ]]; then
  [[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer (got '$WARMUP')"
  warm=(--warmup "$WARMUP")
fi
read -r -a peer_extra <<< "${PEER_ARGS:-}"

if ! py=$(pick_python "$([[ $mode == cuda ]] && echo cuda)"); then
  echo "$me: no python that can import torch among: ${PYTHON:-(PYTHON unset)}, /opt/torch/.venv/bin/python3, python3 on PATH, /usr/bin/python3" >&2
  for p in "${PYTHON:-}" /opt/torch/.venv/bin/python3 "$(command -v python3 2>/dev/null)" /usr/bin/python3; do
    [[ -n $p ]] && command -v "$p" >/dev/null 2>&1 &&
      echo "  $p: $("$p" -c 'import torch' 2>&1 | tail -1)" >&2
  done
  die "on CPU: apt-get install -y python3-torch libopenblas0-pthread (then /usr/bin/python3 has it); or set PYTHON"
fi
if [[ -n ${PYTHON:-} && $py != "$PYTHON" ]]; then
  echo "$me: PYTHON=$PYTHON cannot import torch$([[ $mode == cuda ]] && echo " or its torch has no GPU"); using $py" >&2
fi
torch_v=$("$py" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "gpu" if torch.cuda.is_available() else "no gpu")' 2>/dev/null)
if [[ $mode == cuda && $torch_v == *"no gpu" ]]; then
  echo "$me: WARNING: the torch of $py sees no GPU ($torch_v): the peer's cuda runs will fail" >&2
fi
peer=$(abs "${PEER:-$root/../shared/oracle/peer_bench.py}")
[[ -f $peer ]] || die "the PyTorch peer is missing: $peer (it lives in shared/oracle/peer_bench.py beside the repo; set PEER to it)"
peer=$(cd "$(dirname "$peer")" && pwd)/$(basename "$peer")

# vavl4j's command: VAVL, else ./vavl, else (no JDK here, a carried one there) the carried JDK and jar.
jdk_findable() {
  [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/javac ]] && return 0
  compgen -G "${VAVL_JVM_DIR:-/usr/lib/jvm}/*/bin/javac" >/dev/null && return 0
  command -v javac >/dev/null 2>&1
}
carry=$(abs "${VAVL_CARRY:-$root/device-carry}")
jdk_dir=""
trap '[[ -n $jdk_dir ]] && rm -rf "$jdk_dir"; [[ -n ${times_file:-} ]] && rm -f "$times_file"' EXIT
if [[ -n ${VAVL:-} ]]; then
  read -r -a vavl <<< "$VAVL"
elif ! jdk_findable && [[ -f $carry/jdk.tar.xz && -f $carry/vavl4j-cli.jar ]]; then
  # as native-build/gpu-check.sh: the runtime travels packed; unpack with tar, or Python where tar has no xz
  jdk_dir=$(mktemp -d /tmp/vavl-jdk.XXXXXX)
  tar -C "$jdk_dir" -xJf "$carry/jdk.tar.xz" 2>/dev/null ||
    "$py" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$carry/jdk.tar.xz" "$jdk_dir" ||
    die "cannot unpack $carry/jdk.tar.xz (neither tar -J nor python worked)"
  [[ -x $jdk_dir/jdk/bin/java ]] || die "$jdk_dir/jdk/bin/java missing after unpacking $carry/jdk.tar.xz"
  vavl=("$jdk_dir/jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g
    -jar "$carry/vavl4j-cli.jar")
  echo "$me: no JDK here: running the carried $carry/vavl4j-cli.jar ($(date -r "$carry/vavl4j-cli.jar" '+%F %T')) on the carried JDK" >&2
else
  vavl=(./vavl)
fi

# vavl4j looks for cuBLAS in $VIRTUAL_ENV's site-packages/nvidia too: point it at the peer's venv, if that is one.
venv=$(dirname "$(dirname "$py")")
if [[ $mode == cuda && -z ${VIRTUAL_ENV:-} && -f $venv/pyvenv.cfg ]]; then
  vavl=(env VIRTUAL_ENV="$venv" "${vavl[@]}")
fi

out_dir=$(abs "${OUT_DIR:-$root/target/bench-vs-pytorch}")
mkdir -p "$out_dir" || die "cannot create $out_dir"
stamp=$(date '+%Y%m%d-%H%M%S')
log=$out_dir/$mode-$stamp.jsonl
errlog=$out_dir/$mode-$stamp.log
{ : > "$log" && : > "$errlog"; } || die "cannot write $log"

# One JSON object of string values from key=value arguments (for the meta lines).
meta() { "$py" -c 'import json, sys; print(json.dumps(dict(a.split("=", 1) for a in sys.argv[1:])))' "$@" >> "$log"; }

gpu=""
if command -v nvidia-smi >/dev/null 2>&1; then
  gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -4 | paste -sd ';' -)
fi
cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
blas_env=$(env | grep -E '^(OMP_NUM_THREADS|OPENBLAS_NUM_THREADS|OPENBLAS_CORETYPE|MKL_NUM_THREADS)=' | sort | paste -sd ' ' -)
meta meta=machine mode="$mode" date="$(date '+%F %T %Z')" host="$(hostname)" cpu="${cpu:-?}" nproc="$nproc" \
  gpu="$gpu" blas_env="$blas_env" python="$py" torch="$torch_v" peer="$peer" vavl="${vavl[*]}"

# CPU time other processes used during a run, in cores: all busy time in /proc/stat less our children's (`times`,
# which must run in this shell, not in a $(...) subshell). Someone else's build during a CPU run shows up here.
tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
times_file=$(mktemp)
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
kids() { awk 'NR == 2 {s = 0; for (i = 1; i <= 2; i++) {split($i, a, /[ms]/); s += a[1] * 60 + a[2]} print s}' "$times_file"; }

# run LABEL SIDE OPTIONAL CMD...: runs it, its JSON stdout lines to the log after a meta line, the rest to errlog.
nfail=0
run() {
  local label=$1 side=$2 optional=$3 shown out err rc t0 n tail b0 b1 k0 k1 w0 w1 others
  shift 3
  shown=$(printf '%q ' "$@")
  shown=${shown% }
  [[ $1 == "$py" && $2 == - ]] && shown="$shown  <<(sgemm floor script in native-build/$me.sh)"
  echo "== $label: $shown" >&2
  out=$(mktemp) err=$(mktemp)
  t0=$SECONDS
  times > "$times_file"
  k0=$(kids) b0=$(busy) w0=$EPOCHREALTIME
  if [[ $1 == "$py" && $2 == - ]]; then "$@" <<< "$floor_py" > "$out" 2> "$err"; else "$@" > "$out" 2> "$err" < /dev/null; fi
  rc=$?
  w1=$EPOCHREALTIME b1=$(busy)
  times > "$times_file"
  k1=$(kids)
  others=$(awk -v b="$((b1 - b0))" -v t="$tck" -v k0="$k0" -v k1="$k1" -v w0="$w0" -v w1="$w1" \
    'BEGIN {o = (b / t - (k1 - k0)) / (w1 - w0); printf "%.2f", o < 0 ? 0 : o}')
  n=$(grep -c '^{' "$out")
  tail=$(grep -v '^[[:space:]]*$' "$err" | tail -1 | cut -c1-300)
  meta meta=run label="$label" side="$side" optional="$optional" cmd="$shown" rc="$rc" seconds="$((SECONDS - t0))" others_cores="$others" \
    extra="$([[ $side == vavl4j ]] && echo "${extra[*]}")" stderr_tail="$([[ $rc != 0 || $n == 0 ]] && echo "$tail")"
  grep '^{' "$out" >> "$log"
  { echo "== $label (exit $rc): $shown"; grep -v '^{' "$out"; cat "$err"; } >> "$errlog"
  if ((rc != 0 || n == 0)); then
    if [[ $optional == 1 ]]; then
      echo "   $label failed (exit $rc, $n measurement lines), carrying on without it: $tail" >&2
    else
      echo "   FAILED: $label (exit $rc, $n measurement lines); its stderr ends:" >&2
      tail -8 "$err" | sed 's/^/   | /' >&2
      nfail=$((nfail + 1))
    fi
  else
    echo "   ok, $n lines, $((SECONDS - t0)) s; other processes used $others cores meanwhile" >&2
  fi
  rm -f "$out" "$err"
}

floor_py=$(cat <<'PYEOF'
import json, os, re, sys, time
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the peer on CPU
import torch
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
shapes = []
for m, k, n in ((2048, 2048, 2048), (1200, 2048, 512)):
    a, b, c = torch.randn(m, k), torch.randn(k, n), torch.empty(m, n)
    for _ in range(3):
        torch.mm(a, b, out=c)
    best = float("inf")
    for _ in range(10):
        t0 = time.perf_counter()
        torch.mm(a, b, out=c)
        best = min(best, time.perf_counter() - t0)
    shapes.append(dict(m=m, k=k, n=n, best_ms=round(best * 1e3, 3), gflop_per_s=round(2 * m * k * n / best / 1e9, 2)))
try:
    libs = sorted({os.path.basename(l.split()[-1]) for l in open("/proc/self/maps") if re.search(r"blas|mkl", l.split()[-1], re.I)})
except OSError:
    libs = []
print(json.dumps(dict(impl="sgemm", what="floor", device="cpu", threads=torch.get_num_threads(), torch=torch.__version__,
                      blas=" ".join(libs) or "?", best_of=10, shapes=shapes, gflop_per_s=max(s["gflop_per_s"] for s in shapes))))
PYEOF
)

shape=(--batch "$batch" --audio-frames "$ta" --visual-frames "$tv" --iters "$iters" "${warm[@]}")
echo "$me: $mode, B $batch, Ta $ta, Tv $tv, $iters timed runs; JSON lines to $log, stderr to $errlog" >&2
[[ ${vavl[*]} == *./vavl* ]] && echo "$me: (./vavl first builds target/vavl4j-cli.jar when the sources changed)" >&2
if [[ $mode == cpu ]]; then
  run "sgemm floor" floor 0 "$py" - "$nproc"
  run "vavl4j" vavl4j 0 "${vavl[@]}" bench --device cpu "${shape[@]}" --json "${extra[@]}"
  run "pytorch" pytorch 0 "$py" "$peer" bench --device cpu "${shape[@]}" --threads "$nproc" "${peer_extra[@]}"
else
  run "vavl4j fp32" vavl4j 0 "${vavl[@]}" bench --device cuda "${shape[@]}" --json "${extra[@]}"
  run "vavl4j tf32" vavl4j 0 "${vavl[@]}" bench --device cuda "${shape[@]}" --tf32 --json "${extra[@]}"
  run "pytorch fp32" pytorch 0 "$py" "$peer" bench --device cuda "${shape[@]}" "${peer_extra[@]}"
  run "pytorch tf32" pytorch 0 "$py" "$peer" bench --device cuda "${shape[@]}" --tf32 "${peer_extra[@]}"
  run "pytorch bf16 eager" pytorch 0 "$py" "$peer" bench --device cuda "${shape[@]}" --amp bf16 "${peer_extra[@]}"
  run "pytorch bf16 compiled" pytorch 1 "$py" "$peer" bench --device cuda "${shape[@]}" --amp bf16 --compile "${peer_extra[@]}"
fi

table "$py" "$log"
trc=$?
echo
echo "log: $log (stderr: $errlog)"
if ((nfail > 0 || trc != 0)); then
  echo "$me: FAILED: $nfail required run(s) failed; the table above is incomplete (see $errlog)" >&2
  exit 1
fi
