"""mlp_core: the multilayer perceptron built in *Backprop from Scratch*."""
