#!/bin/sh
# The README's Neovim snippet, as it is, in `nvim --headless`: open a bad
# template, wait for klint's diagnostics and check their positions (Neovim
# turns the server's UTF-16 columns into byte columns), hover a value, apply
# the quick fix for a misspelt key and wait for its finding to go.
#
# Usage: nvim_smoke.sh KLINT README.md
# Exit status: 0 pass, 1 fail, 77 skipped (no nvim: apt-get install neovim; under CI=true
# that is a failure).
set -eu

klint=$1
readme=$2
if ! command -v nvim >/dev/null 2>&1; then
    # CI (CI=true) installs it (.ci/run): there a missing nvim is a failure, not a skip.
    if [ "${CI:-}" = true ]; then
        echo "FAIL (CI=true, so no skipping): nvim is not installed (apt-get install neovim)"
        exit 1
    fi
    echo "SKIP: nvim is not installed (apt-get install neovim)"
    exit 77
fi
. "$(dirname "$0")/smoke_setup.sh"
smoke_setup "$klint" "$readme" Neovim klint-nvim-snippet lua init.lua

cat >"$tmp/check.lua" <<'EOF'
local function fail(msg)
  io.stderr:write('FAIL: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local buf = vim.api.nvim_get_current_buf()
if vim.bo[buf].filetype ~= 'json' then
  fail('the filetype is "' .. vim.bo[buf].filetype .. '", not json')
end
local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)

-- The 0-based line and byte column of the first `needle`.
local function find(needle)
  for i, l in ipairs(lines) do
    local s = l:find(needle, 1, true)
    if s then return i - 1, s - 1 end
  end
  fail('"' .. needle .. '" is not in the buffer')
end

local function code_of(d)
  if d.code then return d.code end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local function has(diags, code, needle)
  local ln, col = find(needle)
  for _, d in ipairs(diags) do
    if d.lnum == ln and d.col == col and code_of(d) == code then return d end
  end
  return nil
end

-- Diagnostics on open.
local ok = vim.wait(15000, function() return #vim.diagnostic.get(buf) >= 3 end, 50)
local diags = vim.diagnostic.get(buf)
for _, d in ipairs(diags) do
  io.stdout:write(string.format('%d:%d: %s: %s\n', d.lnum + 1, d.col + 1,
                                tostring(code_of(d)), d.message))
end
if not ok then fail('no diagnostics from klint within 15 s') end
for _, want in ipairs({ { 'unknown-field', '"durration"' }, { 'unknown-field', '"説明"' },
                        { 'aspect-ratio-with-video', '"16:9"' } }) do
  if not has(diags, want[1], want[2]) then
    fail(want[1] .. ' expected at ' .. want[2] .. ' (byte column ' .. select(2, find(want[2])) .. ')')
  end
end

-- Hover on the rejected value (positions on the wire are UTF-16).
local client = vim.lsp.get_active_clients()[1]
if client == nil or client.name ~= 'klint' then fail('the klint client is not running') end
local uri = vim.uri_from_bufnr(buf)
local ln, col = find('"16:9"')
local _, col16 = vim.str_utfindex(lines[ln + 1], col)
local res = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
  textDocument = { uri = uri }, position = { line = ln, character = col16 + 1 } }, 5000)
local hover = res and res[client.id] and res[client.id].result
if not (hover and hover.contents and hover.contents.value and
        hover.contents.value:find('aspect-ratio-with-video', 1, true)) then
  fail('hover: ' .. vim.inspect(res))
end
io.stdout:write('hover ok\n')

-- The quick fix for the misspelt key, applied by Neovim.
local typo = has(diags, 'unknown-field', '"durration"')
local function utf16(lnum, bytecol)
  local _, u = vim.str_utfindex(lines[lnum + 1], bytecol)
  return { line = lnum, character = u }
end
local range = { start = utf16(typo.lnum, typo.col), ['end'] = utf16(typo.end_lnum, typo.end_col) }
res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', {
  textDocument = { uri = uri }, range = range,
  context = { diagnostics = { { range = range, message = typo.message, code = code_of(typo) } },
              only = { 'quickfix' } } }, 5000)
local actions = res and res[client.id] and res[client.id].result or {}
local fix
for _, a in ipairs(actions) do
  if a.title == 'rename `durration` to `duration`' then fix = a end
end
if fix == nil then fail('no rename quick fix: ' .. vim.inspect(actions)) end
vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
if not vim.api.nvim_buf_get_lines(buf, 3, 4, false)[1]:find('"duration": 5', 1, true) then
  fail('the edit was not applied: ' .. vim.api.nvim_buf_get_lines(buf, 3, 4, false)[1])
end
ok = vim.wait(15000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.message:find('durration', 1, true) then return false end
  end
  return #vim.diagnostic.get(buf) > 0
end, 50)
if not ok then fail('the finding is still there after the fix') end
io.stdout:write('quick fix ok\n')

vim.lsp.stop_client(client.id)
vim.wait(3000, function() return client.is_stopped() end, 50)
vim.cmd('qa!')
EOF

cd "$tmp/work"
PATH="$tmp/bin:$PATH" HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" \
    XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" \
    timeout 60 nvim --headless -n -i NONE -u "$tmp/init.lua" \
    -c "luafile $tmp/check.lua" bad.json </dev/null
