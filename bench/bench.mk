# bench/bench.mk — owned by its part of the tree (see Makefile)
