"""One A4 sheet (PDF) of volunteers' QR codes for a hamlet (pure: Pillow and segno, no Django).

Each cell: the QR code of the volunteer's web-app link (a phone camera opens it), their
name and code, and the link written out. 3 × 4 cells a page at 200 dpi; more volunteers
make more pages."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

DPI = 200
A4 = (round(8.27 * DPI), round(11.69 * DPI))  # 1654 × 2338 px
COLUMNS, ROWS = 3, 4
MARGIN = 90
HEADER = 150
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)


@dataclass(frozen=True)
class Card:
    name: str
    code: str
    url: str


def _font(size: int):
    for path in FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _qr(url: str, side: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=2)
    return Image.open(buffer).convert("L").resize((side, side), Image.NEAREST)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    while text and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…"
    return text


def qr_sheet_pdf(*, title: str, cards: list[Card]) -> bytes:
    title_font, name_font, small_font = _font(44), _font(34), _font(20)
    cell_w = (A4[0] - 2 * MARGIN) // COLUMNS
    cell_h = (A4[1] - 2 * MARGIN - HEADER) // ROWS
    side = min(cell_w - 40, cell_h - 150)
    pages = []
    per_page = COLUMNS * ROWS
    for start in range(0, max(len(cards), 1), per_page):
        page = Image.new("L", A4, 255)
        draw = ImageDraw.Draw(page)
        draw.text((MARGIN, MARGIN), title, font=title_font, fill=0)
        number = f"{start // per_page + 1}/{(len(cards) - 1) // per_page + 1 if cards else 1}"
        draw.text((A4[0] - MARGIN - draw.textlength(number, font=small_font), MARGIN + 12), number, font=small_font)
        for i, card in enumerate(cards[start : start + per_page]):
            x = MARGIN + (i % COLUMNS) * cell_w
            y = MARGIN + HEADER + (i // COLUMNS) * cell_h
            draw.rectangle((x + 6, y + 6, x + cell_w - 6, y + cell_h - 6), outline=170, width=2)
            page.paste(_qr(card.url, side), (x + (cell_w - side) // 2, y + 20))
            label = f"{card.name} · {card.code}" if card.code else card.name
            draw.text((x + 24, y + side + 30), _fit(draw, label, name_font, cell_w - 48), font=name_font, fill=0)
            draw.text((x + 24, y + side + 80), _fit(draw, card.url, small_font, cell_w - 48), font=small_font, fill=60)
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, format="PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue()
