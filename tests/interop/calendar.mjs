// Reads a personal calendar feed the way a calendar application does, with
// ical.js (the iCalendar library of Thunderbird), and prints each event's
// start as wall-clock time in Baku and Riga, one JSON object per line.
// Usage: node calendar.mjs <feed URL>
import ICAL from "ical.js";

const [url] = process.argv.slice(2);
const res = await fetch(url);
if (!res.ok) {
  console.error(`feed answered ${res.status}`);
  process.exit(1);
}
if (!String(res.headers.get("content-type")).startsWith("text/calendar")) {
  console.error(`feed has content type ${res.headers.get("content-type")}`);
  process.exit(1);
}
const calendar = new ICAL.Component(ICAL.parse(await res.text()));
if (calendar.name !== "vcalendar" || calendar.getFirstPropertyValue("version") !== "2.0") {
  console.error("not an iCalendar 2.0 file");
  process.exit(1);
}
const local = (date, timeZone) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
for (const v of calendar.getAllSubcomponents("vevent")) {
  const e = new ICAL.Event(v);
  const start = e.startDate.toJSDate();
  console.log(
    JSON.stringify({
      uid: e.uid,
      summary: e.summary,
      status: v.getFirstPropertyValue("status"),
      sequence: e.sequence,
      baku: local(start, "Asia/Baku"),
      riga: local(start, "Europe/Riga"),
      minutes: (e.endDate.toJSDate() - start) / 60000,
    }),
  );
}
