# sandbox/sandbox.mk — owned by its part of the tree (see Makefile)
