# Line and branch coverage of the app's code over every test project's Cobertura report (coverlet).
# Each project reports the assemblies it loads, so a line counts once, covered if any project ran it;
# a branch point counts its best covered/total over the projects. Test code (tests/) is left out.
# Usage: awk -f .ci/coverage-summary.awk $(find <results> -name coverage.cobertura.xml)
/<class / {
  file = ""
  if (match($0, /filename="[^"]*"/)) file = substr($0, RSTART + 10, RLENGTH - 11)
  gsub(/\\/, "/", file)
  skip = (file ~ /(^|\/)tests\// || file ~ /\/obj\//)
}
/<line / && file != "" && !skip {
  if (!match($0, /number="[0-9]+"/)) next
  key = file ":" substr($0, RSTART + 8, RLENGTH - 9)
  match($0, /hits="[0-9]+"/); hits = substr($0, RSTART + 6, RLENGTH - 7) + 0
  if (!(key in line)) line[key] = 0
  if (hits > 0) line[key] = 1
  if (match($0, /condition-coverage="[^"]*\([0-9]+\/[0-9]+\)"/)) {
    split(substr($0, RSTART, RLENGTH), part, /[(\/)]/)
    covered = part[2] + 0; total = part[3] + 0
    if (!(key in btotal) || total > btotal[key]) btotal[key] = total
    if (!(key in bcovered) || covered > bcovered[key]) bcovered[key] = covered
  }
}
END {
  for (k in line) { lines++; covered_lines += line[k] }
  for (k in btotal) { branches += btotal[k]; covered_branches += (bcovered[k] > btotal[k] ? btotal[k] : bcovered[k]) }
  if (lines == 0) { print "Coverage: no Cobertura report found"; exit 1 }
  printf "Coverage: %.1f %% of lines (%d of %d), %.1f %% of branches (%d of %d)\n", 100 * covered_lines / lines, covered_lines, lines, branches ? 100 * covered_branches / branches : 0, covered_branches, branches
}
