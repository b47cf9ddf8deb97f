export async function handler(event) {
  return { style: 'mjs', event };
}
