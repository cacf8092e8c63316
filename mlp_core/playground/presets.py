"""Presets: settings that show one named phenomenon each, and what to look for.

Each entry of PRESETS maps a name to {"settings": keyword arguments of Settings, "text": HTML}.
tests/test_playground.py trains every preset and checks that it shows what its text promises.
"""
FASHION = {"data": "Fashion-MNIST", "batch_size": 64}

PRESETS = {
    "learning rate too high": {
        "settings": {"activation": "leaky_relu", "optimizer": "SGD", "lr": 10.0},
        "text": "Plain SGD with a learning rate of 10 on the spiral: the first steps overshoot so far that the "
                "loss overflows within the first epoch, and the status line shows the divergence message. Lower "
                "the learning rate a notch at a time: near 3 training survives but the loss jumps about and the "
                "regions flicker; at 0.3 the spiral is learned.",
    },
    "vanishing gradients": {
        "settings": {**FASHION, "activation": "sigmoid", "init": "normal", "init_scale": 1.0, "depth": 6,
                     "width": 64, "optimizer": "SGD", "lr": 0.1, "epochs": 5},
        "text": "Six sigmoid layers with N(0, 1) weights (chapter 6's normal(1)): the pre-activations are "
                "so large that most sigmoids sit flat at 0 or 1, where their slope is almost zero. In the "
                "gradient panel the first layer's gradients are about twenty times smaller than the last "
                "layer's, and its update/weight ratio stays near 1e-4: the first layers hardly learn. Compare "
                "relu with he_normal at scale 1.",
    },
    "dead ReLUs": {
        "settings": {"optimizer": "SGD+momentum", "lr": 3.0},
        "text": "ReLUs with a learning rate far too large for momentum SGD: a few huge steps push most "
                "pre-activations below zero for every input. Those units output 0 and get no gradient, so they "
                "never come back: the table's <i>dead units</i> column climbs towards 100 %, the gradients of "
                "the first layers drop to exactly 0 (off the log-scale chart), the loss flattens and the plane "
                "turns one colour.",
    },
    "overfitting on 500 images": {
        "settings": {**FASHION, "n_train": 500, "width": 256, "lr": 1e-3, "batch_size": 32, "epochs": 40},
        "text": "A 784-256-256-10 network with over 260,000 parameters and only 500 training images: the training "
                "loss falls towards 0 while the validation loss turns round after about ten epochs and rises. "
                "The network learns the 500 images by heart. Try weight decay, dropout or 5,000 images.",
    },
    "batch norm rescues a deep net": {
        "settings": {**FASHION, "activation": "sigmoid", "init": "xavier_normal", "depth": 8, "width": 64,
                     "optimizer": "SGD", "lr": 0.1, "epochs": 5, "batchnorm": True},
        "text": "Eight sigmoid layers trained with plain SGD, with batch norm before every sigmoid: every layer's "
                "gradients are about the same size and the network learns. Untick <i>batch norm</i> and train "
                "again: the first layer's gradients become about 100,000 times smaller than the last's and the "
                "accuracy stays at chance (10 %).",
    },
}
