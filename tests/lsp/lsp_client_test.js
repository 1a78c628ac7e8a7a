#!/usr/bin/env node
/*
 * `klint lsp --stdio` driven by a real LSP client: the protocol connection of
 * vscode-languageserver-protocol (vscode-jsonrpc framing), the one VS Code's
 * client library is built on.
 *
 * Twice, once offering positionEncodings ['utf-16'] and snippets, once
 * ['utf-8', 'utf-16'] and no snippets: the real handshake; a template whose
 * lines hold CJK text and an emoji before the problem spots; the published
 * diagnostics' exact ranges in the negotiated encoding (the expected columns
 * are computed here from the text: JavaScript strings count UTF-16 units,
 * Buffer counts UTF-8 bytes); a hover; completions (a snippet, or plain text
 * for the client without snippets); a quick fix carrying its diagnostic as
 * published, whose WorkspaceEdit is applied to the text and sent back as
 * incremental changes, after which the re-published diagnostics no longer
 * hold that finding; the fix-all action; a broken .klint.json: a
 * window/showMessage while it is not open, its problems as its diagnostics
 * once it is, cleared when it is fixed and saved; then shutdown and exit,
 * with exit code 0.
 *
 * Usage: node lsp_client_test.js KLINT
 * Exit status: 0 pass, 1 fail, 77 skipped (the npm packages are not
 * installed: cd tests/lsp && npm ci; under CI=true that is a failure).
 */
'use strict';

const assert = require('assert');
const cp = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

/* CI (CI=true) installs the client (.ci/run): there a missing one is a failure, not a skip. */
function skip(why) {
    if (process.env.CI === 'true') {
        console.log(`FAIL (CI=true, so no skipping): ${why}`);
        process.exit(1);
    }
    console.log(`SKIP: ${why}`);
    process.exit(77);
}

let lsp;
try {
    lsp = require('vscode-languageserver-protocol/node');
} catch (e) {
    skip('the npm package vscode-languageserver-protocol is not installed (cd tests/lsp && npm ci)');
}

const klint = process.argv[2] && path.resolve(process.argv[2]);
if (!klint) {
    console.error('usage: node lsp_client_test.js KLINT');
    process.exit(2);
}

const TEMPLATE = [
    '{',
    '  "model": "kuaishou/kling-3.0-omni-video",',
    '  "input": {',
    '    "prompt": "夕焼けの山を飛ぶ鷲 🦅 映画風", "durration": 5,',
    '    "video_mode": "video_reference", "video_url": "https://x.test/v.mp4",',
    '    "説明": "鷲 🦅", "aspect_ratio": "16:9",',
    '    "タグ": "🦅", "native_audio": true',
    '  }',
    '}',
    '',
].join('\n');

const TIMEOUT_MS = 10000;

/* ---- Positions, computed from the text ----------------------------------------- */

/* The column of JS string index `idx` on `line` in the encoding. */
function column(line, idx, enc) {
    return enc === 'utf-8' ? Buffer.byteLength(line.slice(0, idx), 'utf8') : idx;
}

/* The JS string index of column `ch` on `line`. */
function indexOf(line, ch, enc) {
    if (enc !== 'utf-8')
        return ch;
    return Buffer.from(line, 'utf8').subarray(0, ch).toString('utf8').length;
}

/* The range of the `nth` occurrence of `needle` in `text`, as LSP positions. */
function rangeOf(text, needle, enc, nth = 0) {
    const lines = text.split('\n');
    let seen = 0;
    for (let l = 0; l < lines.length; l++) {
        let from = 0;
        for (;;) {
            const i = lines[l].indexOf(needle, from);
            if (i < 0)
                break;
            if (seen++ === nth) {
                return {
                    start: {line: l, character: column(lines[l], i, enc)},
                    end: {line: l, character: column(lines[l], i + needle.length, enc)},
                };
            }
            from = i + 1;
        }
    }
    throw new Error(`"${needle}" is not in the text`);
}

function offsetAt(text, pos, enc) {
    const lines = text.split('\n');
    let off = 0;
    for (let l = 0; l < pos.line; l++)
        off += lines[l].length + 1;
    return off + indexOf(lines[pos.line], pos.character, enc);
}

/* Apply TextEdits (non-overlapping) to `text` as a client does. */
function applyEdits(text, edits, enc) {
    const spans = edits.map((e) => ({
        start: offsetAt(text, e.range.start, enc),
        end: offsetAt(text, e.range.end, enc),
        newText: e.newText,
    }));
    spans.sort((a, b) => b.start - a.start);
    for (const s of spans)
        text = text.slice(0, s.start) + s.newText + text.slice(s.end);
    return text;
}

/* ---- One session --------------------------------------------------------------------- */

function withTimeout(promise, what) {
    let timer;
    return Promise.race([
        promise,
        new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), TIMEOUT_MS);
        }),
    ]).finally(() => clearTimeout(timer));
}

async function session(offered, expected, snippets) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'klint-lsp-'));
    const file = path.join(dir, 'template.json');
    fs.writeFileSync(file, TEMPLATE);
    const uri = 'file://' + file;

    const child = cp.spawn(klint, ['lsp', '--stdio'], {cwd: dir, stdio: ['pipe', 'pipe', 'pipe']});
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({code, signal})));

    const conn = lsp.createProtocolConnection(
        new lsp.StreamMessageReader(child.stdout), new lsp.StreamMessageWriter(child.stdin));
    const published = [];
    const configPublished = [];
    const messages = [];
    const configFile = path.join(dir, '.klint.json');
    const configUri = 'file://' + configFile;
    let waiting = null;
    conn.onNotification(lsp.PublishDiagnosticsNotification.type, (p) => {
        if (p.uri === uri)
            published.push(p);
        else if (p.uri === configUri)
            configPublished.push(p);
        else
            return;
        if (waiting)
            waiting();
    });
    conn.onNotification(lsp.ShowMessageNotification.type, (m) => {
        messages.push(m);
        if (waiting)
            waiting();
    });
    conn.listen();

    /* The next entry of `list` (publications, messages) after `count` earlier ones. */
    function nextOf(list, count, what) {
        return withTimeout(new Promise((resolve) => {
            const check = () => {
                if (list.length > count) {
                    waiting = null;
                    resolve(list[count]);
                }
            };
            waiting = check;
            check();
        }), what);
    }
    const nextDiagnostics = (count) => nextOf(published, count, 'publishDiagnostics');

    try {
        /* Handshake. */
        const init = await withTimeout(conn.sendRequest(lsp.InitializeRequest.type, {
            processId: process.pid,
            clientInfo: {name: 'klint-lsp-integration-test'},
            rootUri: 'file://' + dir,
            capabilities: {
                general: {positionEncodings: offered},
                textDocument: {
                    synchronization: {didSave: false},
                    publishDiagnostics: {relatedInformation: true, versionSupport: true,
                        codeDescriptionSupport: true, dataSupport: true},
                    hover: {contentFormat: ['markdown', 'plaintext']},
                    completion: {completionItem: {snippetSupport: snippets}},
                    codeAction: {codeActionLiteralSupport: {codeActionKind: {
                        valueSet: ['quickfix', 'source', 'source.fixAll']}}},
                },
            },
            workspaceFolders: null,
        }), 'initialize');
        const caps = init.capabilities;
        assert.strictEqual(caps.positionEncoding || 'utf-16', expected,
            `offered ${JSON.stringify(offered)}: the server must choose ${expected}`);
        assert.ok(caps.hoverProvider, 'hoverProvider');
        assert.ok(caps.completionProvider, 'completionProvider');
        assert.ok(caps.codeActionProvider, 'codeActionProvider');
        assert.strictEqual(init.serverInfo && init.serverInfo.name, 'klint');
        const sync = typeof caps.textDocumentSync === 'number' ? caps.textDocumentSync
            : caps.textDocumentSync.change;
        conn.sendNotification(lsp.InitializedNotification.type, {});
        const enc = expected;

        /* Diagnostics on open, ranges exact in the negotiated encoding. */
        let text = TEMPLATE;
        conn.sendNotification(lsp.DidOpenTextDocumentNotification.type,
            {textDocument: {uri, languageId: 'json', version: 1, text}});
        let diags = (await nextDiagnostics(0)).diagnostics;
        const want = [
            ['unknown-field', '"durration"', 2],
            ['unknown-field', '"説明"', 2],
            ['aspect-ratio-with-video', '"16:9"', 1],
            ['unknown-field', '"タグ"', 2],
            ['audio-with-video', 'true', 2],
        ];
        assert.strictEqual(diags.length, want.length,
            `findings on open: ${JSON.stringify(diags.map((d) => d.code))}`);
        for (const [code, needle, severity] of want) {
            const range = rangeOf(text, needle, enc);
            const d = diags.find((x) => x.code === code &&
                JSON.stringify(x.range) === JSON.stringify(range));
            assert.ok(d, `${code} at ${needle} ${JSON.stringify(range)} (${enc}); got ` +
                JSON.stringify(diags.map((x) => [x.code, x.range])));
            assert.strictEqual(d.severity, severity, `${code} severity`);
            assert.strictEqual(d.source, 'klint');
        }
        const related = diags.find((x) => x.code === 'audio-with-video').relatedInformation;
        assert.ok(related && related.length === 1, 'related information carried over');
        assert.deepStrictEqual(related[0].location.range,
            rangeOf(text, '"https://x.test/v.mp4"', enc));

        /* Hover on a value the profile rejects: the finding, at the value's range. */
        const ratio = rangeOf(text, '"16:9"', enc);
        const hover = await withTimeout(conn.sendRequest(lsp.HoverRequest.type, {
            textDocument: {uri}, position: {line: ratio.start.line, character: ratio.start.character + 2},
        }), 'hover');
        assert.strictEqual(hover.contents.kind, 'markdown');
        assert.ok(hover.contents.value.includes('aspect-ratio-with-video'), hover.contents.value);
        assert.ok(hover.contents.value.includes('`"auto"` when `present(input.video_url)`'),
            hover.contents.value);
        assert.deepStrictEqual(hover.range, ratio);

        /* Hover on a key after the CJK text: what the field is. */
        const audioKey = rangeOf(text, '"native_audio"', enc);
        const keyHoverAt = await conn.sendRequest(lsp.HoverRequest.type, {
            textDocument: {uri},
            position: {line: audioKey.start.line, character: audioKey.start.character + 1},
        });
        assert.ok(keyHoverAt.contents.value.includes('Generate native audio'),
            keyHoverAt.contents.value);
        assert.deepStrictEqual(keyHoverAt.range, audioKey);

        /* Completion: member names for `input` (the misspelt duration is not there yet). */
        const lines = text.split('\n');
        const afterBrace = {line: 2, character: column(lines[2], lines[2].length, enc)};
        const list = await withTimeout(conn.sendRequest(lsp.CompletionRequest.type,
            {textDocument: {uri}, position: afterBrace}), 'completion');
        const items = Array.isArray(list) ? list : list.items;
        const duration = items.find((i) => i.label === 'duration');
        assert.ok(duration, `duration offered: ${items.map((i) => i.label)}`);
        assert.ok(!items.find((i) => i.label === 'prompt'), 'prompt is there already');
        if (snippets) {
            assert.strictEqual(duration.textEdit.newText, '"duration": ${1:5},');
            assert.strictEqual(duration.insertTextFormat, 2);
        } else {
            assert.strictEqual(duration.textEdit.newText, '"duration": 5,');
            assert.strictEqual(duration.insertTextFormat, 1);
        }
        assert.deepStrictEqual(duration.textEdit.range, {start: afterBrace, end: afterBrace});

        /* Completion inside a string value, on a line after CJK text: the enum values. */
        const mode = rangeOf(text, 'video_reference', enc);
        const modeList = await conn.sendRequest(lsp.CompletionRequest.type,
            {textDocument: {uri}, position: mode.start});
        const modeItems = Array.isArray(modeList) ? modeList : modeList.items;
        const transform = modeItems.find((i) => i.label === '"transform"');
        assert.ok(transform, `video_mode values: ${modeItems.map((i) => i.label)}`);
        assert.deepStrictEqual(transform.textEdit.range, mode);
        assert.strictEqual(transform.textEdit.newText, 'transform');

        /* The quick fix for the misspelt key, applied as a client applies a WorkspaceEdit,
         * then sent back as incremental changes. */
        const typo = diags.find((x) => x.code === 'unknown-field' && x.message.includes('durration'));
        const actions = await withTimeout(conn.sendRequest(lsp.CodeActionRequest.type, {
            textDocument: {uri}, range: typo.range,
            context: {diagnostics: [typo], only: ['quickfix']},
        }), 'codeAction');
        const fix = actions.find((a) => a.title === 'rename `durration` to `duration`');
        assert.ok(fix, `actions: ${JSON.stringify(actions.map((a) => a.title))}`);
        assert.strictEqual(fix.kind, 'quickfix');
        assert.strictEqual(fix.isPreferred, true);
        assert.strictEqual(fix.diagnostics.length, 1);
        assert.deepStrictEqual(fix.diagnostics[0], typo, 'the diagnostic as published');
        const edits = fix.edit.changes[uri];
        assert.ok(edits && edits.length === 1, JSON.stringify(fix.edit));
        assert.deepStrictEqual(edits[0].range, typo.range);
        const before = published.length;
        text = applyEdits(text, edits, enc);
        assert.ok(text.includes('"prompt": "夕焼けの山を飛ぶ鷲 🦅 映画風", "duration": 5,'));
        const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line ||
            b.range.start.character - a.range.start.character);
        conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
            textDocument: {uri, version: 2},
            contentChanges: sync === 2 ? sorted.map((e) => ({range: e.range, text: e.newText}))
                : [{text}],
        });
        const again = await nextDiagnostics(before);
        if (again.version !== undefined)
            assert.strictEqual(again.version, 2);
        diags = again.diagnostics;
        assert.ok(!diags.some((x) => x.message.includes('durration')),
            `the fixed finding is gone: ${JSON.stringify(diags.map((x) => x.message))}`);
        assert.strictEqual(diags.length, want.length - 1);
        assert.deepStrictEqual(diags.find((x) => x.code === 'audio-with-video').range,
            rangeOf(text, 'true', enc));

        /* Fix all: every finding that has a fix, in one edit. */
        const all = await conn.sendRequest(lsp.CodeActionRequest.type, {
            textDocument: {uri}, range: {start: {line: 0, character: 0}, end: {line: 0, character: 0}},
            context: {diagnostics: [], only: ['source.fixAll']},
        });
        const fixAll = all.find((a) => a.kind === 'source.fixAll.klint');
        assert.ok(fixAll, `fix-all offered: ${JSON.stringify(all)}`);
        text = applyEdits(text, fixAll.edit.changes[uri], enc);
        const before2 = published.length;
        conn.sendNotification(lsp.DidChangeTextDocumentNotification.type,
            {textDocument: {uri, version: 3}, contentChanges: [{text}]});
        diags = (await nextDiagnostics(before2)).diagnostics;
        assert.deepStrictEqual(diags.map((x) => x.code).sort(), ['unknown-field', 'unknown-field'],
            `only the unknown keys with no fix remain: ${JSON.stringify(diags)}`);
        assert.ok(text.includes('"aspect_ratio": "auto"') && text.includes('"native_audio": false'));

        /* A broken .klint.json next to the template, saved: not open, so a message. The
         * template is linted again, without it. */
        fs.writeFileSync(configFile, '{"ignore": 5}\n');
        const before3 = published.length;
        conn.sendNotification(lsp.DidSaveTextDocumentNotification.type,
            {textDocument: {uri: configUri}});
        const shown = await nextOf(messages, 0, 'window/showMessage');
        assert.strictEqual(shown.type, lsp.MessageType.Error);
        assert.ok(shown.message.startsWith(`klint: ${configFile}:1:12: `), shown.message);
        assert.ok(shown.message.includes('not used until it is fixed'), shown.message);
        assert.strictEqual((await nextDiagnostics(before3)).diagnostics.length, 2);

        /* Opened, it shows its problems itself: at the 5, and a note that it is not used. */
        conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {textDocument:
            {uri: configUri, languageId: 'json', version: 1, text: '{"ignore": 5}\n'}});
        const cfgDiags = (await nextOf(configPublished, 0, 'the configuration\'s diagnostics'))
            .diagnostics;
        assert.deepStrictEqual(cfgDiags.map((d) => [d.code, d.severity]),
            [['config-invalid', 1], ['config-invalid', 3]], JSON.stringify(cfgDiags));
        assert.deepStrictEqual(cfgDiags[0].range, rangeOf('{"ignore": 5}\n', '5', enc));

        /* Fixed and saved: cleared, and no further message. */
        fs.writeFileSync(configFile, '{}\n');
        conn.sendNotification(lsp.DidSaveTextDocumentNotification.type,
            {textDocument: {uri: configUri}});
        assert.deepStrictEqual(
            (await nextOf(configPublished, 1, 'the cleared diagnostics')).diagnostics, []);
        assert.strictEqual(messages.length, 1);

        /* Shutdown, exit: code 0. */
        const shut = await withTimeout(conn.sendRequest(lsp.ShutdownRequest.type), 'shutdown');
        assert.strictEqual(shut, null);
        conn.sendNotification(lsp.ExitNotification.type);
        const {code, signal} = await withTimeout(exited, 'exit');
        assert.strictEqual(signal, null);
        assert.strictEqual(code, 0, 'exit code after shutdown');
        conn.dispose();
        console.log(`ok: ${JSON.stringify(offered)} -> ${expected}`);
    } catch (e) {
        child.kill();
        if (stderr)
            console.error('--- klint lsp stderr ---\n' + stderr);
        throw e;
    } finally {
        fs.rmSync(dir, {recursive: true, force: true});
    }
}

(async () => {
    await session(['utf-16'], 'utf-16', true);
    await session(['utf-8', 'utf-16'], 'utf-8', false);
})().then(() => process.exit(0), (e) => {
    console.error('FAIL: ' + (e && e.stack ? e.stack : e));
    process.exit(1);
});
