import type { SandboxPerson } from '../people.js';
import { createRandom } from '../random.js';

const COURSES = [
  ['CS101', 'Introduction to Programming'],
  ['CS102', 'Data Structures'],
  ['MA101', 'Calculus I'],
  ['MA102', 'Linear Algebra'],
  ['TH101', 'Thai Language and Culture'],
  ['EN101', 'Academic English'],
  ['PH101', 'Physics I'],
  ['ST201', 'Probability and Statistics'],
] as const;
const GRADES = [
  ['A', 4],
  ['B+', 3.5],
  ['B', 3],
  ['C+', 2.5],
  ['C', 2],
] as const;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * A synthetic transcript for a sandbox person. The real ETDA schema (ขมธอ. 25-2563) is not public, so
 * this uses an illustrative namespace; grades are derived from the person's citizen ID, so they are stable.
 */
export function sandboxTranscriptXml(person: SandboxPerson, institution = 'Sandbox University'): string {
  const rnd = createRandom(Number(person.citizenId.slice(-9)));
  const courses = COURSES.filter(() => rnd.chance(0.8)).map(([code, title]) => {
    const [grade, points] = rnd.pick(GRADES);
    return { code, title, grade, points, credits: 3 };
  });
  const credits = courses.reduce((a, c) => a + c.credits, 0);
  const gpa = credits ? courses.reduce((a, c) => a + c.points * c.credits, 0) / credits : 0;
  const name = `${person.firstName.en} ${person.lastName.en}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Transcript xmlns="urn:thgov:sandbox:transcript:1">
  <Institution>${esc(institution)}</Institution>
  <Student>
    <CitizenID>${person.citizenId}</CitizenID>
    <NameTH>${esc(`${person.firstName.th} ${person.lastName.th}`)}</NameTH>
    <NameEN>${esc(name)}</NameEN>
    <BirthDate>${person.birthDate}</BirthDate>
  </Student>
${courses.map((c) => `  <Course code="${c.code}" credits="${c.credits}" grade="${c.grade}">${esc(c.title)}</Course>`).join('\n')}
  <Credits>${credits}</Credits>
  <GPA>${gpa.toFixed(2)}</GPA>
</Transcript>
`;
}
