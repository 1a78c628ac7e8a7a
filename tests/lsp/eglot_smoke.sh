#!/bin/sh
# The README's Emacs snippet, as it is, in `emacs --batch` with eglot: open a
# bad template, wait for klint's diagnostics (through Flymake) and check their
# places, apply the quick fix for a misspelt key and wait for its finding to
# go, then shut the server down as `M-x eglot-shutdown` does.
#
# Emacs 28 (Debian 12) has no `js-json-mode`, the mode Emacs 29 opens *.json
# files in; the check defines it as Emacs 29 does (a js-mode for JSON).
#
# Usage: eglot_smoke.sh KLINT README.md
# Exit status: 0 pass, 1 fail, 77 skipped (no emacs, or no eglot:
# apt-get install emacs-nox elpa-eglot).
set -eu

klint=$1
readme=$2
if ! command -v emacs >/dev/null 2>&1; then
    echo "SKIP: emacs is not installed (apt-get install emacs-nox elpa-eglot)"
    exit 77
fi
if ! emacs --batch -q --eval "(progn (package-initialize) (require 'eglot))" >/dev/null 2>&1; then
    echo "SKIP: eglot is not installed (apt-get install elpa-eglot, or Emacs 29)"
    exit 77
fi
. "$(dirname "$0")/smoke_setup.sh"
smoke_setup "$klint" "$readme" Emacs klint-eglot-snippet elisp init.el

cat >"$tmp/check.el" <<'EOF'
;; -*- lexical-binding: t -*-
(defun check-fail (fmt &rest args)
  (princ (concat "FAIL: " (apply #'format fmt args) "\n") #'external-debugging-output)
  (kill-emacs 1))
(package-initialize)
(require 'eglot)
(require 'flymake)
(require 'cl-lib)
(unless (fboundp 'js-json-mode)
  (define-derived-mode js-json-mode js-mode "JSON"))
(add-to-list 'auto-mode-alist '("\\.json\\'" . js-json-mode))

(find-file "bad.json")
(unless (eq major-mode 'js-json-mode) (check-fail "major mode %s" major-mode))
;; eglot-ensure connects after the command that opened the file.
(run-hooks 'post-command-hook)
(unless (eglot-current-server) (check-fail "eglot did not start klint"))

(defun wait-until (pred)
  (let ((n 0))
    (while (and (not (funcall pred)) (< n 150))
      (accept-process-output nil 0.1)
      (flymake-start)
      (setq n (1+ n)))
    (funcall pred)))
(defun pos-of (needle)
  (save-excursion (goto-char (point-min)) (search-forward needle) (match-beginning 0)))

;; Diagnostics, at the exact characters (Emacs counts characters, the wire UTF-16 units).
(unless (wait-until (lambda () (>= (length (flymake-diagnostics)) 3)))
  (check-fail "no diagnostics from klint within 15 s: %S" (flymake-diagnostics)))
(dolist (d (flymake-diagnostics))
  (princ (format "%d-%d: %s\n" (flymake-diagnostic-beg d) (flymake-diagnostic-end d)
                 (flymake-diagnostic-text d))))
(dolist (want '("\"durration\"" "\"説明\"" "\"16:9\""))
  (let ((beg (pos-of want)))
    (unless (cl-find-if (lambda (d) (and (= (flymake-diagnostic-beg d) beg)
                                         (= (flymake-diagnostic-end d) (+ beg (length want)))))
                        (flymake-diagnostics))
      (check-fail "no diagnostic at %s (%d-%d)" want beg (+ beg (length want))))))

;; The quick fix, as M-x eglot-code-actions applies it.
(let* ((beg (pos-of "\"durration\""))
       (actions (eglot-code-actions beg (+ beg 11) "quickfix"))
       (fix (cl-find-if (lambda (a) (equal (plist-get a :title)
                                           "rename `durration` to `duration`"))
                        actions)))
  (unless fix (check-fail "no rename quick fix: %S" actions))
  (eglot--apply-workspace-edit (plist-get fix :edit))
  ;; An interactive Emacs sends the change when idle; a batch Emacs never is.
  (eglot--signal-textDocument/didChange))
(unless (save-excursion (goto-char (point-min)) (search-forward "\"duration\": 5" nil t))
  (check-fail "the fix was not applied: %s" (buffer-string)))
(unless (wait-until
         (lambda () (and (flymake-diagnostics)
                         (not (cl-find-if (lambda (d) (string-match-p
                                                       "durration" (flymake-diagnostic-text d)))
                                          (flymake-diagnostics))))))
  (check-fail "the finding is still there after the fix"))
(princ "quick fix ok\n")

(set-buffer-modified-p nil)
(condition-case err
    (eglot-shutdown (eglot-current-server))
  (error (check-fail "eglot-shutdown: %S" err)))
(princ "shutdown ok\n")
(kill-emacs 0)
EOF

cd "$tmp/work"
status=0
PATH="$tmp/bin:$PATH" HOME="$tmp" timeout 60 emacs --batch -q -l "$tmp/init.el" \
    -l "$tmp/check.el" </dev/null >"$tmp/out" 2>&1 || status=$?
grep -v '^Loading ' "$tmp/out" || true
exit "$status"
