use strict;
use warnings;

my ($x, $y) = split ' ', do { local $/; <STDIN> };
# TODO: compute the sum of $x and $y.
my $answer = 0;
print "$answer\n";
