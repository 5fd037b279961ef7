"""Apple Podcasts categories (the list in force since 2019): a feed may use only these."""

from __future__ import annotations

import difflib

from letteraudio.errors import InputError

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary", "Politics",
             "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy", "Places & Travel",
                          "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews",
                  "TV Reviews"),
}  # fmt: skip


def parse_category(value: str) -> tuple[str, str | None]:
    """``"Arts"`` or ``"Arts > Books"`` (also ``Arts/Books``) -> (category, subcategory),
    spelled as Apple spells them; anything not on Apple's list is an :class:`InputError`."""
    parts = [part.strip() for part in value.replace(">", "/").split("/")]
    if len(parts) > 2 or not all(parts):
        raise InputError(f"category {value!r}: give 'Category' or 'Category > Subcategory'")
    by_folded = {name.casefold(): name for name in APPLE_CATEGORIES}
    category = by_folded.get(parts[0].casefold())
    if category is None:
        hint = _suggest(parts[0], list(APPLE_CATEGORIES))
        raise InputError(f"category {parts[0]!r} is not one of Apple's{hint}")
    if len(parts) == 1:
        return category, None
    subs = {name.casefold(): name for name in APPLE_CATEGORIES[category]}
    sub = subs.get(parts[1].casefold())
    if sub is None:
        choices = ", ".join(APPLE_CATEGORIES[category]) or "none"
        raise InputError(f"{category} has no subcategory {parts[1]!r} (it has: {choices})")
    return category, sub


def _suggest(word: str, names: list[str]) -> str:
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.5)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (choose from: {', '.join(names)})"
