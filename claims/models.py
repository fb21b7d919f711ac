# The claim models arrive with the pipeline issue.
