"""mlp_core: the multilayer perceptron built, derivation by derivation, in *Backprop from Scratch*.

Row-batch convention throughout: X has shape (N, d_in), a dense layer computes Z = X @ W + b
with W of shape (d_in, d_out), and every loss is averaged over the N rows of the batch.
"""
from .activations import (LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, get_activation, log_softmax,
                          log_sum_exp, sigmoid, softmax)
from .diagnostics import Diagnostics, format_statistics, layer_statistics
from .gradcheck import gradcheck_layer, gradcheck_loss, gradcheck_model, numerical_gradient, relative_error
from .initializers import he_normal, he_uniform, normal, xavier_normal, xavier_uniform
from .layers import BatchNorm1d, Dense, Dropout, Layer
from .losses import MSE, CrossEntropy, SoftmaxCrossEntropy, get_loss
from .metrics import accuracy, calibration_bins, confusion_matrix, expected_calibration_error
from .model import Sequential, mlp
from .optimizers import SGD, Adagrad, Adam, AdamW, RMSProp, clip_grad_norm
from .serialization import load_model, load_weights, save_model
from .training import DivergenceError, History, evaluate, fit
from . import augment, schedules

__version__ = "0.1.0"
