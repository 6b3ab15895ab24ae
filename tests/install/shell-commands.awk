# shell-commands.awk — prints the words that stand where a shell script names a command (the
# start of a line, or after |, ||, &&, ;, $(, a backquote, `run`, `exec`, `timeout N`,
# `env VAR=…`), one per line, for tests/install/packages.bats. A heuristic, not a parser:
# comments and here-documents are skipped, quoted strings emptied; words that are not
# commands (function names, keywords) are sorted out by the caller.
function first_command(segment,   n, words, i, w) {
	n = split(segment, words, /[ \t]+/)
	for (i = 1; i <= n; i++) {
		w = words[i]
		if (w == "") continue
		if (w ~ /^(if|then|do|else|elif|while|until|!|time|exec|command|builtin|env|run|sudo|as_root|as_pg|setsid|nohup|xargs|timeout|\{|\}|-[a-zA-Z-]+|[0-9]+[smh]?)$/) continue
		if (w ~ /^[A-Za-z_][A-Za-z0-9_]*=/) continue
		if (w ~ /^[a-z][a-z0-9_.+-]*$/) print w
		return
	}
}
{
	line = $0
	if (heredoc != "") {
		gsub(/^[ \t]+|[ \t]+$/, "", line)
		if (line == heredoc) heredoc = ""
		next
	}
	if (match(line, /<<-?[ \t]*['"]?[A-Za-z_]+['"]?/)) {
		heredoc = substr(line, RSTART, RLENGTH)
		sub(/^<<-?[ \t]*['"]?/, "", heredoc)
		sub(/['"]$/, "", heredoc)
	}
	if (line ~ /^[ \t]*#/) next
	sub(/[ \t]#.*$/, "", line)
	gsub(/'[^']*'/, "''", line)
	gsub(/"[^"$]*"/, "\"\"", line)
	n = split(line, segments, /\|\||&&|[|;`]|\$\(|\(|\)/)
	for (i = 1; i <= n; i++) first_command(segments[i])
}
