/**
 * A value printed on a colour scale: three significant digits, so a strain of 0.00412 does not read
 * "0.00" and a magnitude of 0.10377069303925611 reads "0.104".
 */
export function formatScaleValue(value: number): string {
  return value === 0 ? '0' : String(Number(value.toPrecision(3)))
}
