"""The simulated shop's products by name."""

#: What the shop calls each product: what customers and staff read in place of the SKU.
PRODUCT_NAMES = {
    "MUG": "Stoneware mug",
    "HAT": "Wool beanie",
    "SCARF": "Merino scarf",
    "BOOK": "Field guide to garden birds",
    "POSTER": "Botanical print poster",
    "LAMP": "Brass desk lamp",
    "CHAIR": "Oak dining chair",
    "RUG": "Hand-woven wool rug",
}
