module github.com/zablab/zablab

go 1.26
