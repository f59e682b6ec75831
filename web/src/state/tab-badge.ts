// The browser tab says how many sessions wait: "(2) OpenDray" as its title, and a dot drawn on
// the favicon (on a canvas, from the app's icon), put back as it was when none does.

const ICON = "/icon-192.png";
const SIZE_PX = 64;
const DOT = { x: 46, y: 18, radius: 15, fill: "#f0543f", ring: "#ffffff", ringWidth: 4 };

async function drawBadgedIcon(): Promise<string> {
  const image = new Image();
  image.src = ICON;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = SIZE_PX;
  canvas.height = SIZE_PX;
  const context = canvas.getContext("2d");
  if (!context) throw new Error("no 2d canvas");
  context.drawImage(image, 0, 0, SIZE_PX, SIZE_PX);
  context.beginPath();
  context.arc(DOT.x, DOT.y, DOT.radius, 0, 2 * Math.PI);
  context.fillStyle = DOT.fill;
  context.fill();
  context.lineWidth = DOT.ringWidth;
  context.strokeStyle = DOT.ring;
  context.stroke();
  return canvas.toDataURL("image/png");
}

export function createTabBadge() {
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  const original = { href: link?.getAttribute("href") ?? "", type: link?.getAttribute("type") };
  /** The badged icon as a data: URL, drawn once on first need. */
  let badged: Promise<string> | undefined;
  let waiting = 0;

  const setIcon = (href: string, type: string | null | undefined) => {
    if (!link || link.getAttribute("href") === href) return;
    link.href = href;
    if (type) link.type = type;
    else link.removeAttribute("type");
  };

  return {
    /** Show `count` waiting sessions on the tab whose page is `title`. */
    show(count: number, title: string) {
      document.title = count ? `(${count}) ${title}` : title;
      waiting = count;
      if (count === 0) {
        setIcon(original.href, original.type);
        return;
      }
      badged ??= drawBadgedIcon();
      badged.then(
        (href) => {
          // The count may have gone back to 0 while the icon was drawn.
          if (waiting > 0) setIcon(href, "image/png");
        },
        () => {
          badged = undefined;
        },
      );
    },
  };
}

export type TabBadge = ReturnType<typeof createTabBadge>;
