/**
 * One terminal line: one <Text> cut to the width (in cells), coloured by tone. Keeps renders cheap.
 * Only an inverse (selected) line is padded to the full width, for its bar: Ink draws every frame
 * onto a blank grid, so trailing spaces show nothing, yet it tokenises, measures and copies each
 * of them on every frame (most of a frame's cost at 200 columns).
 */
import { memo } from 'react';
import { Text } from 'ink';
import { fit } from '../format.js';
import { useTheme, type Tone } from '../theme.js';

export interface LineProps {
  text: string;
  width: number;
  tone?: Tone | undefined;
  bold?: boolean;
  inverse?: boolean;
}

export const Line = memo(function Line({ text, width, tone, bold, inverse }: LineProps) {
  const theme = useTheme();
  return (
    <Text wrap="truncate" color={theme.tone(tone)} bold={bold} inverse={inverse && theme.color}>
      {(inverse ? fit(text, width) : fit(text, width).trimEnd()) || ' '}
    </Text>
  );
});

