use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my $n = $data[0];
my @a = @data[1 .. $n];
# TODO: find the largest sum of a non-empty contiguous part of @a.
my $best = 0;
print "$best\n";
