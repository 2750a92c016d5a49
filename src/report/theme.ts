/** The plots' theme, shared by the report's renderer (render.ts) and the page (web/): it imports nothing. */
/** One theme for every plot: readable sizes, quiet grid, no external fonts. */
export const THEME = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#d0d0d0' },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    gridColor: '#ececec',
    domainColor: '#888',
    tickColor: '#888',
    labelColor: '#333',
    titleColor: '#222',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right' },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold', titleFontWeight: 'normal', labelLimit: 170 },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', offset: 10 },
  concat: { spacing: 24 },
  facet: { spacing: 14 },
} as const;
