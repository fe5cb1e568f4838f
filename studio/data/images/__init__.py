"""Images: decode any picture to uint8 (C, H, W) at the training size, find a class-per-folder dataset (or
its zip), decode a whole set once into a content-keyed cache, and draw the generated shapes set."""
