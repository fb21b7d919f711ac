# Shortcuts for the two commands in the README (both work without make, too).
.PHONY: demo test bench
demo:
	python3 bin/demo
test:
	python3 bin/test
bench:
	python3 bin/bench
