# Shortcuts for the two commands in the README (both work without make, too).
.PHONY: demo test
demo:
	python3 bin/demo
test:
	python3 bin/test
