use strict;
use warnings;

my ($x, $y) = split ' ', do { local $/; <STDIN> };
print $x + $y, "\n";
