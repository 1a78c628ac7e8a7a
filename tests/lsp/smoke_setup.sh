# The set-up the editor smoke tests share (eglot_smoke.sh, nvim_smoke.sh); they source
# this file once their editor is known to be installed, then call
#
#   smoke_setup KLINT README EDITOR MARKER LANG SNIPPET
#
# which makes a scratch folder $tmp (removed when the script exits) holding
#   $tmp/SNIPPET        the README's ```LANG block after the line with <!-- MARKER
#                       (no such block: "FAIL: no EDITOR snippet ..." and exit 1)
#   $tmp/bin/klint      KLINT, for PATH
#   $tmp/work/bad.json  a template with findings after CJK text and an emoji
# and sets klint to KLINT's absolute path.

smoke_setup() {
    klint=$1
    case $klint in
    /*) ;;
    *) klint=$(pwd)/$klint ;;
    esac

    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT INT TERM

    awk -v marker="<!-- $4" -v fence="\`\`\`$5" '
        index($0, marker) { f = 1; next }
        f == 1 && index($0, fence) == 1 { f = 2; next }
        f == 2 && /^```/ { exit }
        f == 2 { print }' "$2" >"$tmp/$6"
    if [ ! -s "$tmp/$6" ]; then
        echo "FAIL: no $3 snippet (marker $4) in $2"
        exit 1
    fi

    mkdir "$tmp/bin" "$tmp/work"
    ln -s "$klint" "$tmp/bin/klint"

    cat >"$tmp/work/bad.json" <<'JSON'
{
  "model": "kuaishou/kling-3.0-omni-video",
  "input": {
    "prompt": "夕焼けの山を飛ぶ鷲 🦅", "durration": 5,
    "video_mode": "video_reference", "video_url": "https://x.test/v.mp4",
    "説明": "🦅", "aspect_ratio": "16:9"
  }
}
JSON
}
